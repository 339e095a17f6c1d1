import Collectives
import Foundation
import GPT
import Training

/// `trainer bench --profile`: one training step by kernel, means over the timed steps and the
/// ranks. The rows are the model's kernels (`ProfiledKernel`), then the exposed gradient
/// all-reduce, the optimizer, and the rest of the step (batch loading, the loss sum, clipping),
/// so the shares add up to the whole step.
public struct ProfileReport: Sendable {
    /// One row of the profile.
    public struct Row: Sendable {
        public var name: String
        /// "gemm" (rated against sgemm), "memory" (rated against triad) or "step" (not rated).
        public var kind: String
        public var ms: Double
        /// ms ÷ the step's ms.
        public var share: Double
        /// Estimated bytes read and written once, per step.
        public var bytes: Double
        /// sgemm FLOPs per step.
        public var flops: Double
        /// GFLOP/s for "gemm" rows, GB/s for "memory" rows, nil for "step" rows.
        public var rate: Double?
        /// rate ÷ the sgemm rate or the triad bandwidth of one rank.
        public var ofPeak: Double?
    }

    public var rows: [Row]
    /// Mean step time over ranks, ms.
    public var stepMs: Double
    public var steps: Int
    public var ranks: Int
    /// sgemm 2048³ GFLOP/s of one rank (all ranks measuring at once).
    public var sgemmGflops: Double
    /// Memory bandwidth of one rank (all ranks measuring at once).
    public var bandwidth: MemoryBandwidth.Result

    /// Builds the rows from every rank's summed `profile` over `timings` (per step, per rank).
    public static func gather(_ profile: KernelProfile, timings: [[StepTimings]], family: ModelFamily, parameters: Int,
                              accumulationSteps: Int, exactSums: Bool, muon: Bool,
                              sgemmGflops: Double, bandwidth: MemoryBandwidth.Result, comm: Communicator) throws -> ProfileReport {
        let all = try comm.gather(profile.seconds)
        let steps = Double(max(1, timings.count)), ranks = Double(comm.size)
        func perStep(_ values: [Double]) -> [Double] { values.map { $0 / steps } }
        let seconds = (0..<profile.seconds.count).map { i in all.reduce(0) { $0 + $1[i] } / ranks / steps }
        let (bytes, flops) = (perStep(profile.bytes), perStep(profile.flops))
        func mean(_ field: (StepTimings) -> Double) -> Double {
            timings.reduce(0) { $0 + $1.reduce(0) { $0 + field($1) } } / steps / ranks * 1000
        }
        let stepMs = mean(\.total)
        var rows = ProfiledKernel.expected(for: family).map { k -> Row in
            let i = k.rawValue, ms = seconds[i] * 1000
            let rate = ms > 0 ? (k.isGEMM ? flops[i] : bytes[i]) / (ms / 1000) / 1e9 : 0
            return Row(name: k.name, kind: k.isGEMM ? "gemm" : "memory", ms: ms, share: 0, bytes: bytes[i], flops: flops[i],
                       rate: rate, ofPeak: rate / (k.isGEMM ? sgemmGflops : bandwidth.triadGBs))
        }
        let gradientBytes = Double(parameters * MemoryLayout<Float>.stride)
        let encodeMs = mean(\.exactEncode), decodeMs = mean(\.exactDecode)
        if exactSums {
            // Per micro-batch: read the gradient, zero it, and write two Int64 limbs (the first
            // micro-batch) or add into them (read and write). Decode reads the limbs, writes Floats.
            let micro = Double(max(1, accumulationSteps))
            let encodeBytes = gradientBytes * (6 + 10 * (micro - 1)), decodeBytes = gradientBytes * (4 + 1)
            for (name, ms, bytes) in [("exact sums: encode", encodeMs, encodeBytes), ("exact sums: decode", decodeMs, decodeBytes)] {
                let rate = ms > 0 ? bytes / (ms / 1000) / 1e9 : 0
                rows.append(Row(name: name, kind: "memory", ms: ms, share: 0, bytes: bytes, flops: 0, rate: rate,
                                ofPeak: rate / bandwidth.triadGBs))
            }
        }
        // Open MPI does a nonblocking reduction's arithmetic inside the calls that drive it, so with
        // overlap part of the all-reduce runs on the rank's core within backward.
        rows.append(Row(name: "all-reduce inside backward (overlap)", kind: "step", ms: mean(\.allReduceInBackward), share: 0,
                        bytes: 0, flops: 0))
        rows.append(Row(name: "gradient all-reduce (exposed)", kind: "step", ms: mean(\.allReduceExposed) - decodeMs, share: 0,
                        bytes: comm.size > 1 ? gradientBytes : 0, flops: 0))
        // AdamW reads parameters, gradients and both moments, and writes all but the gradients.
        let optimizerMs = mean(\.optimizer), optimizerRate = optimizerMs > 0 ? 7 * gradientBytes / (optimizerMs / 1000) / 1e9 : 0
        if muon {
            // Newton–Schulz is GEMMs on the matrices and AdamW takes the rest: not one memory pass.
            rows.append(Row(name: "optimizer (Muon and AdamW)", kind: "step", ms: optimizerMs, share: 0, bytes: 0, flops: 0))
        } else {
            rows.append(Row(name: "optimizer (AdamW)", kind: "memory", ms: optimizerMs, share: 0, bytes: 7 * gradientBytes, flops: 0,
                            rate: optimizerRate, ofPeak: optimizerRate / bandwidth.triadGBs))
        }
        // The norm reads every gradient once; clipping, when it scales, reads and writes them again.
        let clippingMs = mean(\.clipping), clippingRate = clippingMs > 0 ? gradientBytes / (clippingMs / 1000) / 1e9 : 0
        rows.append(Row(name: "gradient norm and clipping", kind: "memory", ms: clippingMs, share: 0, bytes: gradientBytes, flops: 0,
                        rate: clippingRate, ofPeak: clippingRate / bandwidth.triadGBs))
        let accounted = rows.reduce(0) { $0 + $1.ms }
        rows.append(Row(name: "other (batches, loss sum, between kernels)", kind: "step", ms: max(0, stepMs - accounted), share: 0,
                        bytes: 0, flops: 0))
        let total = max(stepMs, accounted)
        for i in rows.indices { rows[i].share = total > 0 ? rows[i].ms / total : 0 }
        return ProfileReport(rows: rows, stepMs: stepMs, steps: timings.count, ranks: comm.size, sgemmGflops: sgemmGflops,
                             bandwidth: bandwidth)
    }

    /// The profile as a table, one kernel a line.
    public var table: String {
        func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
        func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
            s.count >= n ? s : left ? s + String(repeating: " ", count: n - s.count) : String(repeating: " ", count: n - s.count) + s
        }
        var lines = [
            "profile of one step: \(f(stepMs, 2)) ms, mean of \(steps) steps over \(ranks) rank\(ranks == 1 ? "" : "s"); per rank: "
                + "sgemm 2048³ \(f(sgemmGflops)) GFLOP/s, memory copy \(f(bandwidth.copyGBs)) GB/s, triad \(f(bandwidth.triadGBs)) GB/s",
            pad("kernel", 36, left: true) + pad("ms/step", 9) + pad("share", 8) + pad("MB/step", 10) + pad("GFLOP/step", 11)
                + pad("achieved", 16) + pad("of peak", 13),
        ]
        for r in rows {
            let rate = r.rate.map { f($0) + (r.kind == "gemm" ? " GFLOP/s" : " GB/s") } ?? "—"
            let peak = r.ofPeak.map { f(100 * $0, 0) + "% " + (r.kind == "gemm" ? "sgemm" : "triad") } ?? "—"
            lines.append(pad(r.name, 36, left: true) + pad(f(r.ms, 2), 9) + pad(f(100 * r.share) + "%", 8)
                         + pad(f(r.bytes / 1e6), 10) + pad(r.flops > 0 ? f(r.flops / 1e9, 2) : "—", 11) + pad(rate, 16) + pad(peak, 13))
        }
        return lines.joined(separator: "\n")
    }

    /// The profile as a JSON-ready object (rows in table order).
    public var jsonObject: [String: Any] {
        [
            "step_ms": stepMs, "steps": steps, "ranks": ranks, "sgemm_gflops_per_rank": sgemmGflops,
            "memory_copy_gbs": bandwidth.copyGBs, "memory_triad_gbs": bandwidth.triadGBs,
            "kernels": rows.map { r -> [String: Any] in
                var o: [String: Any] = ["name": r.name, "kind": r.kind, "ms": r.ms, "share": r.share, "bytes": r.bytes, "flops": r.flops]
                if let rate = r.rate { o[r.kind == "gemm" ? "gflops" : "gbs"] = rate }
                if let peak = r.ofPeak { o["of_peak"] = peak }
                return o
            },
        ]
    }
}
