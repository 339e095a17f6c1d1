import CBLAS
import GPT
import RunConfig
import Training

/// Measures OpenBLAS sgemm throughput and checks one product against a naive loop.
public enum SgemmBenchmark {
    /// One matrix-product shape, C (m, n) = A (m, k) · B (k, n), and its measured rate.
    public struct Shape: Sendable, Codable {
        public var name: String
        public var m: Int, n: Int, k: Int
        public var transB: Bool = false
        /// GFLOP/s (2mnk per product) of the best of the timed repetitions.
        public var gflops: Double = 0
        public init(_ name: String, m: Int, n: Int, k: Int, transB: Bool = false) {
            self.name = name; self.m = m; self.n = n; self.k = k; self.transB = transB
        }
    }

    /// The shapes of the model's own GEMMs for a micro-batch of `rows` = B·T tokens.
    public static func modelShapes(config: TrainConfig) -> [Shape] {
        let m = config.model, bt = config.training.microBatch * m.blockSize, c = m.nEmbd, t = m.blockSize
        return [
            Shape("qkv", m: bt, n: 3 * c, k: c),
            Shape("attn proj", m: bt, n: c, k: c),
            Shape("mlp fc", m: bt, n: 4 * c, k: c),
            Shape("mlp proj", m: bt, n: c, k: 4 * c),
            Shape("classifier", m: bt, n: m.vocabSize, k: c, transB: true),
            Shape("attention q·kᵀ", m: t, n: t, k: c / m.nHead, transB: true),
        ]
    }

    /// GFLOP/s of `shape`: the best of `repetitions` timed runs (each at least ~0.1 s of work)
    /// after one warm-up call. Inputs are deterministic pseudo-random values in [-1, 1).
    /// `asTheModelRuns`: through the model's tiled `sgemm` on the kernel threads; otherwise one
    /// cblas_sgemm on as many OpenBLAS threads (the machine's rate, which MFU is measured against).
    public static func measure(_ shape: Shape, asTheModelRuns: Bool, repetitions: Int = 3) -> Double {
        let (m, n, k) = (shape.m, shape.n, shape.k)
        let a = filled(m * k, seed: 1), b = filled(k * n, seed: 2)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        let calls = max(1, Int(2e9 / flops))  // ~0.1 s per repetition at 20 GFLOP/s or more
        func run() {
            if asTheModelRuns {
                sgemm(transA: false, transB: shape.transB, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: shape.transB ? k : n,
                      beta: 0, c: c, ldc: n)
            } else {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, shape.transB ? CblasTrans : CblasNoTrans,
                            blasint(m), blasint(n), blasint(k), 1, a, blasint(k), b, blasint(shape.transB ? k : n),
                            0, c, blasint(n))
            }
        }
        // The model leaves OpenBLAS at one thread; its own rate is taken with the kernel threads' count.
        let blasThreads = openblas_get_num_threads()
        if !asTheModelRuns { openblas_set_num_threads(Int32(KernelThreads.count)) }
        defer { openblas_set_num_threads(blasThreads) }
        run()
        var best = Double.infinity
        for _ in 0..<repetitions {
            let start = monotonicSeconds()
            for _ in 0..<calls { run() }
            best = min(best, (monotonicSeconds() - start) / Double(calls))
        }
        return flops / best / 1e9
    }

    /// Largest relative error of sgemm against a naive Double-accumulated product on a
    /// 67×45×129 problem (odd sizes reach the kernels' edge cases); about 1e-6 when correct.
    public static func correctnessError() -> Double {
        let (m, n, k) = (67, 45, 129)
        let a = filled(m * k, seed: 3), b = filled(k * n, seed: 4)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k),
                    1, a, blasint(k), b, blasint(n), 0, c, blasint(n))
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var exact = 0.0, magnitude = 0.0
                for p in 0..<k {
                    exact += Double(a[i * k + p]) * Double(b[p * n + j])
                    magnitude += abs(Double(a[i * k + p]) * Double(b[p * n + j]))
                }
                worst = max(worst, abs(Double(c[i * n + j]) - exact) / max(magnitude, 1e-30))
            }
        }
        return worst
    }

    private static func filled(_ count: Int, seed: UInt64) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        for i in 0..<count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            p[i] = Float(Int32(truncatingIfNeeded: state >> 32)) / 2_147_483_648
        }
        return p
    }
}
