// What reference/openblas_threads_check.c and openblas_tile_cost.c share: seeded operands, a clock,
// and GPT/Kernels/TiledSgemm.swift's tile rule and tiled product, written once here in C.
#include <cblas.h>
#include <stdlib.h>
#include <time.h>
extern void openblas_set_num_threads(int);

/// The trainer's tile minimum (`sgemmTileMinimum`).
#define TRAINER_TILE_MINIMUM 384

static float *values(size_t n) { float *p = malloc(n * 4); for (size_t i = 0; i < n; i++) p[i] = (float)rand() / RAND_MAX - 0.5f; return p; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

// `sgemmTiles`: one call under 2²⁴ FLOPs, else a power of two up to 8 that leaves tiles of at
// least `minimum` along the longer side of C.
static int tiles(int m, int n, int k, int minimum) {
  if (2.0 * m * n * k < (1 << 24)) return 1;
  int p = 1, L = m > n ? m : n;
  while (p < 8 && L / (2 * p) >= minimum) p *= 2;
  return p;
}

// Row-major C (m, n) += op(A)·op(B) in p tiles along the longer side, inner edges at multiples of 16.
static void product(int ta, int tb, int m, int n, int k, int p, const float *a, const float *b, float *c) {
  int rows = m >= n, lda = ta ? m : k, ldb = tb ? k : n, L = rows ? m : n;
  for (int i = 0; i < p; i++) {
    int s = (L * i / p) & ~15, e = i + 1 == p ? L : (L * (i + 1) / p) & ~15;
    if (rows) cblas_sgemm(CblasRowMajor, ta?CblasTrans:CblasNoTrans, tb?CblasTrans:CblasNoTrans, e - s, n, k, 1, a + (ta ? s : (size_t)s * lda), lda, b, ldb, 1, c + (size_t)s * n, n);
    else cblas_sgemm(CblasRowMajor, ta?CblasTrans:CblasNoTrans, tb?CblasTrans:CblasNoTrans, m, e - s, k, 1, a, lda, b + (tb ? (size_t)s * ldb : s), ldb, 1, c + s, n);
  }
}
