// The system zlib's inflate API, for reading gzip-compressed corpora.
#include <zlib.h>
