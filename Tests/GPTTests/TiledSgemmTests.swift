import GPT
import Testing

/// The model's `sgemm`, which cuts C into tiles fixed by the shape: every transpose, both cutting
/// directions, strided operands and alpha/beta against a Double-accumulated product, and the same
/// bits at 1 to 4 threads.
struct TiledSgemmTests {
    /// (m, n, k): cut by rows (m the longer side) and by columns (n the longer side).
    static let shapes = [(784, 120, 96), (120, 784, 96)]

    /// Values in [-1, 1) from the suite's seeded generator.
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in Float(rng.next() >> 40) / Float(1 << 24) * 2 - 1 }
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func tilesGiveTheProductAtEveryThreadCount(transposes: (Bool, Bool)) {
        let (transA, transB) = transposes
        for (m, n, k) in Self.shapes {
            #expect(sgemmTiles(m: m, n: n, k: k) == 2, "\(m)×\(n)×\(k) is cut in two")
            // Leading dimensions wider than the matrices, so that a wrong tile offset reads other elements.
            let lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 5, ldc = n + 7
            let a = Self.values((transA ? k : m) * lda, seed: 1), b = Self.values((transB ? n : k) * ldb, seed: 2)
            let c0 = Self.values(m * ldc, seed: 3)
            let alpha: Float = 0.75, beta: Float = 0.5
            func run(threads: Int) -> [Float] {
                var c = c0
                KernelThreads.$scoped.withValue(threads) {
                    sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                          beta: beta, c: &c, ldc: ldc)
                }
                return c
            }
            let one = run(threads: 1)
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    var sum = 0.0, magnitude = 0.0
                    for p in 0..<k {
                        let x = Double(transA ? a[p * lda + i] : a[i * lda + p]), y = Double(transB ? b[j * ldb + p] : b[p * ldb + j])
                        sum += x * y
                        magnitude += abs(x * y)
                    }
                    let expected = Double(alpha) * sum + Double(beta) * Double(c0[i * ldc + j])
                    worst = max(worst, abs(Double(one[i * ldc + j]) - expected) / (magnitude + abs(Double(c0[i * ldc + j]))))
                }
                // The padding beyond column n is never written.
                for j in n..<ldc { #expect(one[i * ldc + j] == c0[i * ldc + j]) }
            }
            #expect(worst < 1e-5, "transA \(transA), transB \(transB), \(m)×\(n)×\(k): worst relative error \(worst)")
            for threads in [2, 3, 4] {
                #expect(run(threads: threads) == one, "\(threads) threads, transA \(transA), transB \(transB), \(m)×\(n)×\(k)")
            }
        }
    }

    @Test func theTileCountComesFromTheShapeAlone() {
        #expect(sgemmTiles(m: 64, n: 64, k: 64) == 1)  // under 2²⁴ FLOPs: one call
        #expect(sgemmTiles(m: 1024, n: 384, k: 384) == 2)
        #expect(sgemmTiles(m: 1024, n: 1536, k: 384) == 4)
        #expect(sgemmTiles(m: 384, n: 384, k: 1024) == 1)  // shorter than two tiles
        #expect(sgemmTiles(m: 1024, n: 3072, k: 768) == 8)
        #expect(sgemmTiles(m: 8192, n: 384, k: 1024) == 8)
    }
}
