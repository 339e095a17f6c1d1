// CMPI: the plain-C surface over MPI that Swift calls.
//
// Swift cannot import mpi.h's macros (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, MPI_IN_PLACE), so every
// MPI call lives here behind functions that take only integers, sizes and pointers. All functions
// act on MPI_COMM_WORLD and return MPI_SUCCESS (0) or an MPI error code; errors are returned, never
// fatal, so the caller can name the operation that failed before it aborts the job.
#ifndef CMPI_H
#define CMPI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Initializes MPI with MPI_THREAD_FUNNELED (only the main thread calls MPI).
int CMPI_init(void);
/// Finalizes MPI; call once, after the last collective.
int CMPI_finalize(void);
/// 1 when MPI_Init has run and MPI_Finalize has not.
int CMPI_is_initialized(void);
int CMPI_rank(int *rank);
int CMPI_size(int *size);

/// In-place sum all-reduce of `count` floats, chunked so that counts above INT_MAX work.
int CMPI_allreduce_sum_float(float *buffer, size_t count);
/// In-place sum all-reduce of `count` doubles, chunked like the float version.
int CMPI_allreduce_sum_double(double *buffer, size_t count);
/// In-place sum all-reduce of `count` int64 values (exact: integer addition is associative, so
/// every reduction order gives the same bits; wraps on overflow, which callers rule out).
int CMPI_allreduce_sum_int64(int64_t *buffer, size_t count);
/// In-place max all-reduce of `count` int64 values.
int CMPI_allreduce_max_int64(int64_t *buffer, size_t count);
/// Broadcasts `bytes` bytes from `root`, chunked past INT_MAX.
int CMPI_broadcast(void *buffer, size_t bytes, int root);
int CMPI_barrier(void);
/// In-place all-gather of floats (MPI_Allgatherv with MPI_IN_PLACE): rank r's `counts[r]` floats
/// from `displacements[r]` of `buffer` reach every rank. `ranks` must be the world size. Counts or
/// displacements above INT_MAX go as one chunked broadcast per rank instead.
int CMPI_allgatherv_float(float *buffer, const size_t *counts, const size_t *displacements, int ranks);

/// Starts an in-place nonblocking sum all-reduce of at most INT_MAX floats; `request` receives an
/// id for CMPI_wait / CMPI_test. At most CMPI_MAX_REQUESTS may be in flight.
int CMPI_iallreduce_sum_float(float *buffer, size_t count, uint64_t *request);
/// CMPI_iallreduce_sum_float for int64 values.
int CMPI_iallreduce_sum_int64(int64_t *buffer, size_t count, uint64_t *request);
/// Starts a nonblocking sum reduce-scatter (MPI_Ireduce_scatter) of `buffer`, which holds this
/// rank's whole vector: rank r's block is `counts[r]` elements from the sum of the counts before
/// it (`ranks` must be the world size; the total at most INT_MAX). When the request completes (in
/// CMPI_wait or CMPI_test), this rank's block of `buffer` holds the sum over ranks; the rest of
/// `buffer` is left as it was. The buffer must not be touched until then.
int CMPI_ireduce_scatter_sum_float(float *buffer, const size_t *counts, int ranks, uint64_t *request);
/// CMPI_ireduce_scatter_sum_float for int64 values (exact sums).
int CMPI_ireduce_scatter_sum_int64(int64_t *buffer, const size_t *counts, int ranks, uint64_t *request);
/// Waits for a request started by CMPI_iallreduce_sum_float or CMPI_iallreduce_sum_int64 (or a
/// reduce-scatter) and releases its id.
int CMPI_wait(uint64_t request);
/// Sets *done to 1 (and releases the id) when the request has completed, else 0.
int CMPI_test(uint64_t request, int *done);
#define CMPI_MAX_REQUESTS 4096

/// Writes MPI's text for `code` into `buffer` (always NUL-terminated).
void CMPI_error_string(int code, char *buffer, size_t length);
/// Prints `message` on stderr, flushes stdio and ends every rank of the job with `code`.
void CMPI_abort(int code, const char *message);

/// Asks the kernel to SIGKILL this process when its parent exits (Linux; elsewhere a no-op).
/// Returns 0 when armed and the parent is still `expected_parent`, 1 when the parent is already
/// gone (this process was reparented), -1 when prctl failed.
int CMPI_die_with_parent(int expected_parent);

/// Error code CMPI itself returns for a bad argument (too many requests, count too large).
#define CMPI_ERR_ARGUMENT (-1)

#ifdef __cplusplus
}
#endif

#endif
