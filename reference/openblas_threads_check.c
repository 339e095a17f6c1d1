// Does this OpenBLAS give the same bits at 1 and 2 threads, and what do the model's fixed tiles
// (GPT/Kernels/TiledSgemm.swift) cost on one thread? gpt-small's and gpt2-124m's product shapes.
//   cc -O2 reference/openblas_threads_check.c -o /tmp/obcheck $(pkg-config --cflags --libs openblas) && /tmp/obcheck
// On 2026-12-07's AMD EPYC (Zen 3, OpenBLAS 0.3.21 core Zen) every shape had elements that differ
// between 1 and 2 threads (e.g. 13,346 of 393,216 at 1024×384×384), which is why the trainer
// never lets OpenBLAS thread a product itself.
#include <stdio.h>
#include <string.h>
#include "openblas_tiles.h"
extern char *openblas_get_corename(void);

static double rate(int m, int n, int k, int p, const float *a, const float *b, float *c) {
    double best = 1e9;
    for (int rep = 0; rep < 7; rep++) { double t = now(); product(0, 0, m, n, k, p, a, b, c); t = now() - t; if (t < best) best = t; }
    return 2.0 * m * n * k / best / 1e9;
}

int main(void) {
    printf("OpenBLAS core %s\n", openblas_get_corename());
    int shapes[][3] = {{1024, 1152, 384}, {1024, 384, 384}, {1024, 1536, 384}, {1024, 384, 1536},
                       {1024, 2304, 768}, {1024, 768, 768}, {1024, 3072, 768}, {1024, 768, 3072}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        int m = shapes[i][0], n = shapes[i][1], k = shapes[i][2];
        float *a = values((size_t)m * k), *b = values((size_t)k * n), *c1 = calloc((size_t)m * n, 4), *c2 = calloc((size_t)m * n, 4);
        openblas_set_num_threads(1); product(0, 0, m, n, k, 1, a, b, c1);
        openblas_set_num_threads(2); product(0, 0, m, n, k, 1, a, b, c2);
        int differ = 0; for (size_t j = 0; j < (size_t)m * n; j++) differ += c1[j] != c2[j];
        openblas_set_num_threads(1);
        double whole = rate(m, n, k, 1, a, b, c1), tiled = rate(m, n, k, tiles(m, n, k, TRAINER_TILE_MINIMUM), a, b, c1);
        printf("%d×%d×%d: %d of %d elements differ between 1 and 2 OpenBLAS threads; one thread: whole %.1f GFLOP/s, %d tiles %.1f (%.1f%%)\n",
               m, n, k, differ, m * n, whole, tiles(m, n, k, TRAINER_TILE_MINIMUM), tiled, 100 * (tiled / whole - 1));
        free(a); free(b); free(c1); free(c2);
    }
}
