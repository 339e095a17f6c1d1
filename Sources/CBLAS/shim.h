// OpenBLAS's CBLAS interface plus its thread and core-type controls.
#include <cblas.h>
