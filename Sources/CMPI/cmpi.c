// The only code in the project that includes mpi.h (see include/CMPI.h for why).
#define OMPI_SKIP_MPICXX 1
#include "CMPI.h"

#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// MPI counts are int; larger buffers go in pieces of this many elements.
static const size_t chunk_elements = (size_t)INT_MAX;

int CMPI_init(void) {
    int provided = 0;
    int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    if (rc != MPI_SUCCESS) return rc;
    // Return error codes to the caller instead of aborting inside MPI, so messages name the operation.
    return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

int CMPI_finalize(void) { return MPI_Finalize(); }

int CMPI_is_initialized(void) {
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    return initialized && !finalized;
}

int CMPI_rank(int *rank) { return MPI_Comm_rank(MPI_COMM_WORLD, rank); }
int CMPI_size(int *size) { return MPI_Comm_size(MPI_COMM_WORLD, size); }

static int allreduce_chunked(void *buffer, size_t count, size_t element_size, MPI_Datatype type, MPI_Op op) {
    char *bytes = (char *)buffer;
    for (size_t done = 0; done < count; done += chunk_elements) {
        size_t n = count - done < chunk_elements ? count - done : chunk_elements;
        int rc = MPI_Allreduce(MPI_IN_PLACE, bytes + done * element_size, (int)n, type, op, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
    }
    return MPI_SUCCESS;
}

int CMPI_allreduce_sum_float(float *buffer, size_t count) {
    return allreduce_chunked(buffer, count, sizeof(float), MPI_FLOAT, MPI_SUM);
}

int CMPI_allreduce_sum_double(double *buffer, size_t count) {
    return allreduce_chunked(buffer, count, sizeof(double), MPI_DOUBLE, MPI_SUM);
}

int CMPI_allreduce_sum_int64(int64_t *buffer, size_t count) {
    return allreduce_chunked(buffer, count, sizeof(int64_t), MPI_INT64_T, MPI_SUM);
}

int CMPI_allreduce_max_int64(int64_t *buffer, size_t count) {
    return allreduce_chunked(buffer, count, sizeof(int64_t), MPI_INT64_T, MPI_MAX);
}

int CMPI_broadcast(void *buffer, size_t bytes, int root) {
    char *p = (char *)buffer;
    for (size_t done = 0; done < bytes; done += chunk_elements) {
        size_t n = bytes - done < chunk_elements ? bytes - done : chunk_elements;
        int rc = MPI_Bcast(p + done, (int)n, MPI_BYTE, root, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
    }
    return MPI_SUCCESS;
}

int CMPI_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

int CMPI_allgatherv_float(float *buffer, const size_t *counts, const size_t *displacements, int ranks) {
    int size = 0;
    int rc = MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rc != MPI_SUCCESS) return rc;
    if (ranks != size || ranks <= 0) return CMPI_ERR_ARGUMENT;
    int small = 1;
    for (int r = 0; r < ranks; r++) {
        if (counts[r] > chunk_elements || displacements[r] > chunk_elements) small = 0;
    }
    if (!small) {
        // MPI-3 counts are int: past INT_MAX each rank broadcasts its range, chunked.
        for (int r = 0; r < ranks; r++) {
            rc = CMPI_broadcast(buffer + displacements[r], counts[r] * sizeof(float), r);
            if (rc != MPI_SUCCESS) return rc;
        }
        return MPI_SUCCESS;
    }
    int *c = malloc(2 * (size_t)ranks * sizeof(int));
    if (c == NULL) return CMPI_ERR_ARGUMENT;
    int *d = c + ranks;
    for (int r = 0; r < ranks; r++) {
        c[r] = (int)counts[r];
        d[r] = (int)displacements[r];
    }
    rc = MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buffer, c, d, MPI_FLOAT, MPI_COMM_WORLD);
    free(c);
    return rc;
}

// Request ids index this table; MPI_REQUEST_NULL marks a free slot. Only the main thread calls MPI
// (MPI_THREAD_FUNNELED), so the table needs no lock.
static MPI_Request requests[CMPI_MAX_REQUESTS];
static int requests_ready = 0;

static void prepare_requests(void) {
    if (requests_ready) return;
    for (int i = 0; i < CMPI_MAX_REQUESTS; i++) requests[i] = MPI_REQUEST_NULL;
    requests_ready = 1;
}

// Starts a nonblocking in-place sum in the first free request slot.
static int iallreduce_sum(void *buffer, size_t count, MPI_Datatype type, uint64_t *request) {
    if (count > chunk_elements) return CMPI_ERR_ARGUMENT;
    prepare_requests();
    for (int i = 0; i < CMPI_MAX_REQUESTS; i++) {
        if (requests[i] != MPI_REQUEST_NULL) continue;
        int rc = MPI_Iallreduce(MPI_IN_PLACE, buffer, (int)count, type, MPI_SUM, MPI_COMM_WORLD, &requests[i]);
        if (rc != MPI_SUCCESS) return rc;
        *request = (uint64_t)i;
        return MPI_SUCCESS;
    }
    return CMPI_ERR_ARGUMENT;
}

int CMPI_iallreduce_sum_float(float *buffer, size_t count, uint64_t *request) {
    return iallreduce_sum(buffer, count, MPI_FLOAT, request);
}

int CMPI_iallreduce_sum_int64(int64_t *buffer, size_t count, uint64_t *request) {
    return iallreduce_sum(buffer, count, MPI_INT64_T, request);
}

// What a reduce-scatter leaves to do when it completes: its result arrives in `scratch` (MPI
// forbids overlapping send and receive buffers) and is copied to this rank's block; `counts` must
// live as long as the request (MPI's rule for nonblocking collectives' array arguments).
typedef struct {
    void *destination;
    void *scratch;
    size_t bytes;
    int *counts;
} completion;
static completion completions[CMPI_MAX_REQUESTS];

static void complete(uint64_t i) {
    if (completions[i].counts == NULL) return;
    if (completions[i].bytes > 0) memcpy(completions[i].destination, completions[i].scratch, completions[i].bytes);
    free(completions[i].scratch);
    free(completions[i].counts);
    completions[i] = (completion){0};
}

static int ireduce_scatter_sum(void *buffer, const size_t *counts, int ranks, size_t element, MPI_Datatype type,
                               uint64_t *request) {
    int size = 0, rank = 0;
    int rc = MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rc == MPI_SUCCESS) rc = MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rc != MPI_SUCCESS) return rc;
    if (ranks != size || ranks <= 0) return CMPI_ERR_ARGUMENT;
    size_t total = 0, offset = 0;
    for (int r = 0; r < ranks; r++) {
        if (r < rank) offset += counts[r];
        total += counts[r];
    }
    if (total > chunk_elements) return CMPI_ERR_ARGUMENT;
    prepare_requests();
    for (int i = 0; i < CMPI_MAX_REQUESTS; i++) {
        if (requests[i] != MPI_REQUEST_NULL || completions[i].counts != NULL) continue;
        int *c = malloc((size_t)ranks * sizeof(int));
        void *scratch = malloc(counts[rank] * element + 1);
        if (c == NULL || scratch == NULL) {
            free(c);
            free(scratch);
            return CMPI_ERR_ARGUMENT;
        }
        for (int r = 0; r < ranks; r++) c[r] = (int)counts[r];
        rc = MPI_Ireduce_scatter(buffer, scratch, c, type, MPI_SUM, MPI_COMM_WORLD, &requests[i]);
        if (rc != MPI_SUCCESS) {
            free(c);
            free(scratch);
            return rc;
        }
        completions[i] = (completion){(char *)buffer + offset * element, scratch, counts[rank] * element, c};
        *request = (uint64_t)i;
        return MPI_SUCCESS;
    }
    return CMPI_ERR_ARGUMENT;
}

int CMPI_ireduce_scatter_sum_float(float *buffer, const size_t *counts, int ranks, uint64_t *request) {
    return ireduce_scatter_sum(buffer, counts, ranks, sizeof(float), MPI_FLOAT, request);
}

int CMPI_ireduce_scatter_sum_int64(int64_t *buffer, const size_t *counts, int ranks, uint64_t *request) {
    return ireduce_scatter_sum(buffer, counts, ranks, sizeof(int64_t), MPI_INT64_T, request);
}

int CMPI_wait(uint64_t request) {
    if (request >= CMPI_MAX_REQUESTS) return CMPI_ERR_ARGUMENT;
    int rc = MPI_Wait(&requests[request], MPI_STATUS_IGNORE);
    if (rc == MPI_SUCCESS) complete(request);
    return rc;
}

int CMPI_test(uint64_t request, int *done) {
    if (request >= CMPI_MAX_REQUESTS) return CMPI_ERR_ARGUMENT;
    int rc = MPI_Test(&requests[request], done, MPI_STATUS_IGNORE);
    if (rc == MPI_SUCCESS && *done) complete(request);
    return rc;
}

void CMPI_error_string(int code, char *buffer, size_t length) {
    if (length == 0) return;
    if (code == CMPI_ERR_ARGUMENT) {
        snprintf(buffer, length, "invalid argument to CMPI (too many requests in flight or count above INT_MAX)");
        return;
    }
    char text[MPI_MAX_ERROR_STRING];
    int n = 0;
    if (MPI_Error_string(code, text, &n) != MPI_SUCCESS) snprintf(text, sizeof text, "MPI error %d", code);
    snprintf(buffer, length, "%s", text);
}

void CMPI_abort(int code, const char *message) {
    if (message && *message) fprintf(stderr, "%s\n", message);
    fflush(stdout);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);
}
