import Foundation
import Training

/// What `trainer bench` measured, reduced over ranks (times: the slowest rank; rates: the mean).
struct BenchReport: Encodable {
    var config: String
    var ranks: Int
    var blasThreads: Int
    var kernelThreads: Int
    var core: String
    var coreNote: String
    var sgemmCheckError: Double
    var sgemmPeakPerRank: Double
    var sgemmPeakTotal: Double
    var shapes: [SgemmBenchmark.Shape]
    var tokensPerStep: Int
    var stepMs: Double
    var forwardMs: Double
    var backwardMs: Double
    var allReduceExposedMs: Double
    var allReduceTotalMs: Double
    var optimizerMs: Double
    var flopsPerToken: Double
    var peakRSSBytes: Int
    var estimateBytes: Int
    var parameters: Int
    var steps: Int
    var overlap: Bool
    var bucketMb: Double

    var tokensPerSecond: Double { Double(tokensPerStep) / (stepMs / 1000) }
    var idleMs: Double { max(0, stepMs - forwardMs - backwardMs - allReduceExposedMs - optimizerMs) }
    /// Model FLOPs per second ÷ the sgemm rate all ranks reach together on 2048³.
    var mfu: Double { flopsPerToken * tokensPerSecond / (sgemmPeakTotal * 1e9) }
    /// sgemm matches a naive product to float rounding (relative error well under 1e-5).
    var sgemmCorrect: Bool { sgemmCheckError < 1e-5 }

    private static func mib(_ bytes: Int) -> String { String(format: "%.0f MiB", Double(bytes) / 1048576) }
    private static func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }

    var table: String {
        var lines = [
            "trainer bench \(config): \(ranks) rank\(ranks == 1 ? "" : "s") × \(blasThreads) OpenBLAS thread\(blasThreads == 1 ? "" : "s") (kernel threads \(kernelThreads)), \(steps) steps",
            "OpenBLAS core     \(core) (\(coreNote)); sgemm vs naive: \(sgemmCorrect ? "ok" : "WRONG"), max rel. error \(String(format: "%.1e", sgemmCheckError))",
            "sgemm 2048³       \(Self.f(sgemmPeakPerRank)) GFLOP/s per rank, \(Self.f(sgemmPeakTotal)) all ranks together",
        ]
        for s in shapes {
            lines.append("sgemm \(s.name.padding(toLength: 15, withPad: " ", startingAt: 0)) \(Self.f(s.gflops)) GFLOP/s  (\(s.m)×\(s.n)×\(s.k))")
        }
        lines += [
            "tokens/s          \(Self.f(tokensPerSecond))",
            "MFU               \(Self.f(100 * mfu))% (\(Self.f(flopsPerToken / 1e6)) MFLOP/token ÷ measured sgemm peak)",
            "ms per step       \(Self.f(stepMs)) = forward \(Self.f(forwardMs)) + backward \(Self.f(backwardMs)) + all-reduce exposed \(Self.f(allReduceExposedMs)) + optimizer \(Self.f(optimizerMs)) + idle \(Self.f(idleMs))",
            "all-reduce        \(Self.f(allReduceExposedMs)) ms exposed of \(Self.f(allReduceTotalMs)) ms total (overlap \(overlap ? "on" : "off"), buckets \(bucketMb) MiB)",
            "memory per rank   \(Self.mib(peakRSSBytes)) peak resident; start-up estimate \(Self.mib(estimateBytes)) (\(Self.f(100 * Double(peakRSSBytes) / Double(estimateBytes), 0))%)",
        ]
        return lines.joined(separator: "\n")
    }

    var json: String {
        let object: [String: Any] = [
            "config": config, "ranks": ranks, "blas_threads": blasThreads, "kernel_threads": kernelThreads,
            "openblas_core": core, "openblas_core_note": coreNote,
            "sgemm_check_max_rel_error": sgemmCheckError, "sgemm_correct": sgemmCorrect,
            "sgemm_gflops_2048": sgemmPeakPerRank, "sgemm_gflops_2048_all_ranks": sgemmPeakTotal,
            "sgemm_model_shapes": shapes.map { ["name": $0.name, "m": $0.m, "n": $0.n, "k": $0.k, "gflops": $0.gflops] as [String: Any] },
            "tokens_per_s": tokensPerSecond, "mfu": mfu, "flops_per_token": flopsPerToken,
            "ms_per_step": ["total": stepMs, "forward": forwardMs, "backward": backwardMs,
                            "allreduce_exposed": allReduceExposedMs, "allreduce_total": allReduceTotalMs,
                            "optimizer": optimizerMs, "idle": idleMs],
            "peak_rss_bytes": peakRSSBytes, "memory_estimate_bytes": estimateBytes, "parameters": parameters,
            "steps": steps, "overlap": overlap, "bucket_mb": bucketMb,
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func table(_ r: AllReduceBenchmark.Result, ranks: Int) -> String {
        """
        all-reduce of \(String(format: "%.1f", Double(r.bytes) / 1048576)) MiB of gradients over \(ranks) rank\(ranks == 1 ? "" : "s") (median of 20):
        plain MPI_Allreduce      \(f(r.plainMs, 2)) ms
        GradientSync, buckets    \(f(r.bucketedMs, 2)) ms (\(f(r.ratio, 2))× plain; target ≤ 1.2×; \(r.bucketMb) MiB buckets)
        GradientSync, overlapped \(f(r.overlappedMs, 2)) ms (nonblocking buckets started back to back, no backward to hide behind)
        """
    }

    static func json(_ r: AllReduceBenchmark.Result, ranks: Int) -> String {
        let object: [String: Any] = ["ranks": ranks, "bytes": r.bytes, "plain_ms": r.plainMs, "bucketed_ms": r.bucketedMs,
                                     "overlapped_ms": r.overlappedMs, "ratio": r.ratio, "bucket_mb": r.bucketMb]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
