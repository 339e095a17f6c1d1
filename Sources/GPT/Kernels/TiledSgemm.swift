import CBLAS

// Every product of the model goes through `sgemm` below, which cuts C into tiles chosen from the
// shape alone and runs one single-threaded cblas_sgemm per tile, the tiles spread over the kernel
// threads. OpenBLAS's own threads are never used: how they split a product depends on their count,
// and some of its kernels round an element differently depending on where the split falls (0.3.21's
// Zen kernels: at 2 threads 5% of a 512³ product's elements differ from 1 thread). With tiles fixed
// by the shape, an element's sum is the same at any thread count, on any BLAS that is
// deterministic on one thread.

/// Tiles are cut along the longer side of C, at least this many rows or columns each. Each tile
/// packs the other operand again and runs its own edges: on one thread of the 2026-12-07 Zen 3
/// (reference/openblas_tile_cost.c), gpt-small's products in tiles of at least 192 took 2.5–5%
/// longer than in one call each, in tiles of at least 384 within 1.2% of it. So its 1024- and
/// 1152-long products are 2 tiles and its 1536-long ones 4, enough for 2 and 4 threads.
let sgemmTileMinimum = 384
/// At most this many tiles (a power of two, so that 1, 2, 4 and 8 threads share them evenly).
let sgemmTileLimit = 8
/// Products below this many FLOPs are one call: tiling them would only add overhead.
let sgemmTiledFlops = 1 << 24

/// OpenBLAS set to one thread, once, before the first product (the launcher's OPENBLAS_NUM_THREADS
/// sizes the kernel threads instead, through `KernelThreads.configure`).
private let blasSingleThreaded: Void = openblas_set_num_threads(1)

/// Row-major C = alpha·op(A)·op(B) + beta·C in tiles fixed by the shape (above), on the kernel threads.
public func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    let pieces = sgemmTiles(m: m, n: n, k: k)
    if pieces == 1 {
        return sgemmOneCall(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
    let byRows = m >= n, length = byRows ? m : n
    // Tile i covers [edge(i), edge(i + 1)); inner edges at multiples of 16 keep the kernels' vector widths whole.
    func edge(_ i: Int) -> Int { i == pieces ? length : (length * i / pieces) & ~15 }
    parallelFor(pieces) { tiles in
        for i in tiles {
            let start = edge(i), count = edge(i + 1) - start
            if byRows {  // rows start..<start+count of C and of op(A)
                sgemmOneCall(transA: transA, transB: transB, m: count, n: n, k: k, alpha: alpha, a: a + (transA ? start : start * lda), lda: lda,
                             b: b, ldb: ldb, beta: beta, c: c + start * ldc, ldc: ldc)
            } else {  // columns start..<start+count of C and of op(B)
                sgemmOneCall(transA: transA, transB: transB, m: m, n: count, k: k, alpha: alpha, a: a, lda: lda,
                             b: b + (transB ? start * ldb : start), ldb: ldb, beta: beta, c: c + start, ldc: ldc)
            }
        }
    }
}

/// How many tiles `sgemm` cuts an (m, n, k) product into: 1 for small products, else the largest
/// power of two up to `sgemmTileLimit` that leaves tiles of `sgemmTileMinimum` along the longer side.
public func sgemmTiles(m: Int, n: Int, k: Int) -> Int {
    guard 2 * m * n * k >= sgemmTiledFlops else { return 1 }
    var pieces = 1
    while pieces < sgemmTileLimit, max(m, n) / (2 * pieces) >= sgemmTileMinimum { pieces *= 2 }
    return pieces
}

/// One cblas_sgemm on one OpenBLAS thread: for callers already inside a `parallelFor` (attention's
/// per-head products) and for each of `sgemm`'s tiles.
@inline(__always)
func sgemmOneCall(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    _ = blasSingleThreaded
    cblas_sgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
}
