// What the fixed tiles of GPT/Kernels/TiledSgemm.swift cost on one OpenBLAS thread: every product
// of one layer of gpt-small (C = 384) or gpt2-124m (C = 768), forward, backward-data and
// backward-weights, and the classifier's, run in turn under tile minima of 192, 384, 512 and
// "never cut", the rules alternated rep by rep so that the host's drift falls on all of them.
//   cc -O2 reference/openblas_tile_cost.c -o /tmp/tilecost $(pkg-config --cflags --libs openblas)
//   /tmp/tilecost 384 8192; /tmp/tilecost 768 50304
// On 2026-12-07's AMD EPYC (Zen 3, OpenBLAS 0.3.21 core Zen), medians of 15 reps against one call
// per product: C = 384: 192 → 0.948, 384 → 1.008, 512 → 0.954; C = 768: 0.975, 0.993, 1.008 (a
// single rep moved by up to ±20% with the host). The trainer takes 384.
#include <stdio.h>
#include <string.h>
#include "openblas_tiles.h"

static int cmp(const void *x, const void *y) { double a = *(double*)x, b = *(double*)y; return a < b ? -1 : a > b; }
int main(int argc, char **argv) {
  openblas_set_num_threads(1);
  int C = argc > 1 ? atoi(argv[1]) : 384, R = 1024, V = argc > 2 ? atoi(argv[2]) : 8192, reps = 15;
  int shapes[][5] = {
    {0,0,R,3*C,C},{0,0,R,C,C},{0,0,R,4*C,C},{0,0,R,C,4*C},
    {0,1,R,C,3*C},{0,1,R,C,C},{0,1,R,C,4*C},{0,1,R,4*C,C},
    {1,0,C,3*C,R},{1,0,C,C,R},{1,0,C,4*C,R},{1,0,4*C,C,R},
    {0,1,R,V,C},{0,0,R,C,V},{1,0,V,C,R}};
  int ns = sizeof shapes / sizeof shapes[0];
  int minima[] = {192, 384, 512, 1 << 30}; int nr = 4;
  float *a[15], *b[15], *c[15];
  double flops = 0;
  for (int i = 0; i < ns; i++) { int m = shapes[i][2], n = shapes[i][3], k = shapes[i][4]; a[i] = values((size_t)m*k); b[i] = values((size_t)k*n); c[i] = calloc((size_t)m*n, 4); flops += 2.0*m*n*k; }
  // sgemm 2048³, the rate `trainer bench` divides by: reps of its own, before the rules'.
  int big = 2048; float *ba = values((size_t)big*big), *bb = values((size_t)big*big), *bc = calloc((size_t)big*big, 4);
  double t[4][32], peak[32];
  for (int rep = 0; rep < reps; rep++) { double s = now(); product(0, 0, big, big, big, 1, ba, bb, bc); peak[rep] = 2.0*big*big*big / (now() - s); }
  for (int rep = 0; rep < reps; rep++) for (int r0 = 0; r0 < nr; r0++) {
    int r = (r0 + rep) % nr; double s = now();
    for (int i = 0; i < ns; i++) { int m = shapes[i][2], n = shapes[i][3], k = shapes[i][4]; product(shapes[i][0], shapes[i][1], m, n, k, tiles(m, n, k, minima[r]), a[i], b[i], c[i]); }
    t[r][rep] = now() - s;
  }
  double ratio[32];
  for (int r = 0; r < nr; r++) {
    for (int rep = 0; rep < reps; rep++) ratio[rep] = t[3][rep] / t[r][rep];
    qsort(ratio, reps, sizeof(double), cmp); qsort(t[r], reps, sizeof(double), cmp);
    printf("C=%d minimum %10d: median %.1f GFLOP/s; per-rep speed vs one call: median %.3f (min %.3f max %.3f)\n", C, minima[r], flops / t[r][reps/2] / 1e9, ratio[reps/2], ratio[0], ratio[reps-1]);
  }
  qsort(peak, reps, sizeof(double), cmp);
  printf("sgemm 2048³ median %.1f GFLOP/s (min %.1f, max %.1f): one call per product runs at %.1f%% of it\n",
         peak[reps/2] / 1e9, peak[0] / 1e9, peak[reps-1] / 1e9, 100 * flops / t[3][reps/2] / peak[reps/2]);
}
