import Foundation
import Training
import Collectives

/// What `trainer bench` measured, reduced over ranks (times: the slowest rank; rates: the mean).
public struct BenchReport: Encodable {
    public var config: String
    public var ranks: Int
    public var blasThreads: Int
    public var kernelThreads: Int
    public var core: String
    public var coreNote: String
    public var sgemmCheckError: Double
    public var sgemmPeakPerRank: Double
    public var sgemmPeakTotal: Double
    public var shapes: [SgemmBenchmark.Shape]
    public var tokensPerStep: Int
    public var stepMs: Double
    public var forwardMs: Double
    public var backwardMs: Double
    public var allReduceExposedMs: Double
    public var allReduceTotalMs: Double
    public var optimizerMs: Double
    public var flopsPerToken: Double
    public var peakRSSBytes: Int
    public var estimateBytes: Int
    public var parameters: Int
    public var steps: Int
    public var overlap: Bool
    public var bucketMb: Double

    public var tokensPerSecond: Double { Double(tokensPerStep) / (stepMs / 1000) }
    public var idleMs: Double { max(0, stepMs - forwardMs - backwardMs - allReduceExposedMs - optimizerMs) }
    /// Model FLOPs per second ÷ the sgemm rate all ranks reach together on 2048³.
    public var mfu: Double { flopsPerToken * tokensPerSecond / (sgemmPeakTotal * 1e9) }
    /// sgemm matches a naive product to float rounding (relative error well under 1e-5).
    public var sgemmCorrect: Bool { sgemmCheckError < 1e-5 }

    private static func mib(_ bytes: Int) -> String { String(format: "%.0f MiB", Double(bytes) / 1048576) }
    private static func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }

    public var table: String {
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

    public var json: String {
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

    public static func table(_ r: AllReduceBenchmark.Result, ranks: Int) -> String {
        """
        all-reduce of \(String(format: "%.1f", Double(r.bytes) / 1048576)) MiB of gradients over \(ranks) rank\(ranks == 1 ? "" : "s") (median of 20):
        plain MPI_Allreduce      \(f(r.plainMs, 2)) ms
        GradientSync, buckets    \(f(r.bucketedMs, 2)) ms (\(f(r.ratio, 2))× plain; target ≤ 1.2×; \(r.bucketMb) MiB buckets)
        GradientSync, overlapped \(f(r.overlappedMs, 2)) ms (nonblocking buckets started back to back, no backward to hide behind)
        """
    }

    public static func json(_ r: AllReduceBenchmark.Result, ranks: Int) -> String {
        let object: [String: Any] = ["ranks": ranks, "bytes": r.bytes, "plain_ms": r.plainMs, "bucketed_ms": r.bucketedMs,
                                     "overlapped_ms": r.overlappedMs, "ratio": r.ratio, "bucket_mb": r.bucketMb]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
