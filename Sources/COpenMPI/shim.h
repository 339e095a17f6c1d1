// Open MPI's C API; the C++ bindings are skipped because Swift cannot import them.
#define OMPI_SKIP_MPICXX 1
#include <mpi.h>
