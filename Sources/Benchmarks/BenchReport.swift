import Collectives
import Foundation
import RunConfig
import Training

/// What `trainer bench` measured, reduced over ranks (see `StepSplit` for the step's split; rates
/// are means over ranks; memory is the rank with the largest peak).
public struct BenchReport {
    public var config: String
    public var cpu: String
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
    public var split: StepSplit
    public var flopsPerToken: Double
    public var peakRSSBytes: Int
    public var estimate: MemoryEstimate
    public var parameters: Int
    public var steps: Int
    public var overlap: Bool
    /// Whether `overlap` was decided by distributed.overlap = "auto".
    public var overlapAuto = false
    public var bucketMb: Double
    /// Whether the sums were exact (`distributed.exact`).
    public var exact = false
    /// `--profile`: the step by kernel (nil without it).
    public var profile: ProfileReport? = nil

    public var tokensPerSecond: Double { Double(tokensPerStep) / (split.stepMs / 1000) }
    /// Model FLOPs per second ÷ the sgemm rate all ranks reach together on 2048³.
    public var mfu: Double { flopsPerToken * tokensPerSecond / (sgemmPeakTotal * 1e9) }
    /// sgemm matches a naive product to float rounding (relative error well under 1e-5).
    public var sgemmCorrect: Bool { sgemmCheckError < 1e-5 }
    /// Peak resident memory ÷ the estimate.
    public var memoryRatio: Double { Double(peakRSSBytes) / Double(max(1, estimate.totalBytes)) }

    private static func mib(_ bytes: Int) -> String { String(format: "%.0f MiB", Double(bytes) / 1048576) }
    private static func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
    private static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    public var table: String {
        let s = split
        var lines = [
            "trainer bench \(config): \(Self.plural(ranks, "rank")) × \(Self.plural(kernelThreads, "thread")) (products in tiles of one OpenBLAS thread each), \(steps) steps",
            "CPU               \(cpu)",
            "OpenBLAS core     \(core) (\(coreNote)); sgemm vs naive: \(sgemmCorrect ? "ok" : "WRONG"), max rel. error \(String(format: "%.1e", sgemmCheckError))",
            "sgemm 2048³       \(Self.f(sgemmPeakPerRank)) GFLOP/s per rank, \(Self.f(sgemmPeakTotal)) all ranks together (one cblas_sgemm on \(Self.plural(blasThreads, "OpenBLAS thread")); the model's shapes below as the model runs them)",
        ]
        for shape in shapes {
            lines.append("sgemm \(shape.name.padding(toLength: 15, withPad: " ", startingAt: 0)) \(Self.f(shape.gflops)) GFLOP/s  (\(shape.m)×\(shape.n)×\(shape.k))")
        }
        lines += [
            "tokens/s          \(Self.f(tokensPerSecond))",
            "MFU               \(Self.f(100 * mfu))% (\(Self.f(flopsPerToken / 1e6)) MFLOP/token ÷ measured sgemm peak)",
            "ms per step       \(Self.f(s.stepMs)) = compute \(Self.f(s.computeMs)) + straggler wait \(Self.f(s.stragglerMs)) + exposed transfer \(Self.f(s.transferMs)) + optimizer \(Self.f(s.optimizerMs)) + other \(Self.f(s.otherMs))",
            "compute           forward \(Self.f(s.forwardMs)) + backward \(Self.f(s.backwardMs)) (slowest rank); per rank: \(s.rankComputeMs.map { Self.f($0) }.joined(separator: ", "))",
            "all-reduce        \(Self.f(s.allReduceExposedMs)) ms exposed (straggler wait included) of \(Self.f(s.allReduceTotalMs)) ms total (overlap \(overlap ? "on" : "off")\(overlapAuto ? " by auto: \(overlap ? "several machines" : "one machine")" : ""), buckets \(bucketMb) MiB, \(exact ? "exact Int64 sums" : "Float sums")); exposed transfer \(Self.f(100 * s.transferMs / s.stepMs))% of the step",
            "memory per rank   \(Self.mib(peakRSSBytes)) peak resident; estimate \(Self.mib(estimate.totalBytes)) (\(Self.f(100 * memoryRatio, 0))%) = "
                + estimate.items.map { "\($0.name) \(Self.mib($0.bytes))" }.joined(separator: " + "),
        ]
        if let profile { lines += ["", profile.table] }
        return lines.joined(separator: "\n")
    }

    public var json: String {
        let s = split
        var object: [String: Any] = [
            "config": config, "cpu": cpu, "ranks": ranks, "blas_threads": blasThreads, "kernel_threads": kernelThreads,
            "openblas_core": core, "openblas_core_note": coreNote,
            "sgemm_check_max_rel_error": sgemmCheckError, "sgemm_correct": sgemmCorrect,
            "sgemm_gflops_2048": sgemmPeakPerRank, "sgemm_gflops_2048_all_ranks": sgemmPeakTotal,
            "sgemm_model_shapes": shapes.map { ["name": $0.name, "m": $0.m, "n": $0.n, "k": $0.k, "gflops": $0.gflops] as [String: Any] },
            "tokens_per_s": tokensPerSecond, "mfu": mfu, "flops_per_token": flopsPerToken,
            "ms_per_step": ["total": s.stepMs, "compute": s.computeMs, "straggler_wait": s.stragglerMs,
                            "exposed_transfer": s.transferMs, "forward": s.forwardMs, "backward": s.backwardMs,
                            "allreduce_exposed": s.allReduceExposedMs, "allreduce_total": s.allReduceTotalMs,
                            "optimizer": s.optimizerMs, "other": s.otherMs, "idle": s.otherMs],
            "compute_ms_per_rank": s.rankComputeMs,
            "peak_rss_bytes": peakRSSBytes, "memory_estimate_bytes": estimate.totalBytes,
            "memory_estimate": Dictionary(uniqueKeysWithValues: estimate.items.map { ($0.name, $0.bytes) }),
            "parameters": parameters, "steps": steps, "overlap": overlap, "bucket_mb": bucketMb, "exact": exact,
        ]
        if let profile { object["profile"] = profile.jsonObject }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    public static func table(_ r: AllReduceBenchmark.Result, ranks: Int, repetitions: Int = 20) -> String {
        """
        all-reduce of \(String(format: "%.1f", Double(r.bytes) / 1048576)) MiB of gradients over \(plural(ranks, "rank")) (median of \(repetitions)):
        plain MPI_Allreduce      \(f(r.plainMs, 2)) ms
        GradientSync, buckets    \(f(r.bucketedMs, 2)) ms (\(f(r.ratio, 2))× plain; target ≤ 1.2×; \(r.bucketMb) MiB buckets)
        GradientSync, overlapped \(f(r.overlappedMs, 2)) ms (nonblocking buckets started back to back, no backward to hide behind)
        """ + r.sweep.map { "\nplain MPI_Allreduce of \(String(repeating: " ", count: max(0, 10 - String($0.bytes).count)) + String($0.bytes)) bytes: \(f($0.ms, 3)) ms" }.joined()
    }

    public static func json(_ r: AllReduceBenchmark.Result, ranks: Int) -> String {
        let object: [String: Any] = ["ranks": ranks, "bytes": r.bytes, "plain_ms": r.plainMs, "bucketed_ms": r.bucketedMs,
                                     "overlapped_ms": r.overlappedMs, "ratio": r.ratio, "bucket_mb": r.bucketMb,
                                     "sweep": r.sweep.map { ["bytes": $0.bytes, "ms": $0.ms] }]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
