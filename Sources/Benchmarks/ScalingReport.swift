import Foundation

/// `trainer bench --project`: the scaling model's projection as a table or one JSON object.
public struct ScalingReport {
    public var config: String
    public var model: ScalingModel
    public var ranks: [Int]
    /// How the link was chosen, e.g. "10 Gbit/s × 0.83 efficiency (fit), α 48 µs (fit)".
    public var linkNote: String
    /// The measured step the compute figures come from, e.g. "1 rank, 3 steps, 2 contended cores".
    public var measuredNote: String

    public init(config: String, model: ScalingModel, ranks: [Int], linkNote: String, measuredNote: String) {
        (self.config, self.model, self.ranks, self.linkNote, self.measuredNote) = (config, model, ranks, linkNote, measuredNote)
    }

    private static func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }

    public var table: String {
        let m = model, bucketMiB = m.buckets.map { $0 / 1048576 }
        var lines = [
            "trainer bench \(config) --project: weak scaling, \(m.tokensPerRank) tokens per rank per step (measured: \(measuredNote))",
            "compute           \(Self.f(m.computeSecondsPerToken * 1e6, 2)) µs per token (forward + backward), backward \(Self.f(100 * m.backwardFraction, 0))%; optimizer \(Self.f(m.optimizerSeconds * 1000)) ms, other \(Self.f(m.otherSeconds * 1000)) ms per step",
            "link              \(linkNote): α = \(Self.f(m.link.alpha * 1e6)) µs, β = \(Self.f(m.link.beta * 1e12, 1)) ps/B",
            "gradient sum      \(m.buckets.count) buckets, \(Self.f(bucketMiB.reduce(0, +))) MiB (last \(Self.f(bucketMiB.last ?? 0)) MiB); "
                + (m.shardOptimizer ? "ZeRO-1: ring reduce-scatter + ring all-gather" : m.overlap ? "overlap on: MPI_Iallreduce, libnbc \(m.nonblocking.rawValue)" : "overlap off: MPI_Allreduce per bucket, tuned's choice"),
            "hide window       \(m.overlap ? Self.f(m.project(ranks: 2).hideSeconds * 1000) + " ms (the last micro-batch's backward)" : "none (overlap off)")",
            "",
            "ranks      comm ms   exposed ms    step ms   efficiency     tokens/s   hidden",
        ]
        for p in ranks {
            let r = m.project(ranks: p)
            lines.append(String(format: "%5d %12.1f %12.1f %10.1f %11.1f%% %12.0f   %@", p, r.commSeconds * 1000, r.exposedSeconds * 1000,
                                r.stepSeconds * 1000, 100 * r.efficiency, r.tokensPerSecond, m.overlap ? (r.hidden ? "yes" : "no") : "-"))
        }
        lines.append("")
        if !m.overlap {
            lines.append("communication never hides: overlap is off (distributed.overlap=true hides it behind backward)")
        } else if let p = m.firstExposedRanks() {
            lines.append("communication stops hiding behind backward at \(p) ranks (powers of two; the last bucket is never hidden)")
        } else {
            lines.append("communication hides behind backward up to 65536 ranks (but for the last bucket)")
        }
        return lines.joined(separator: "\n")
    }

    public var json: String {
        let rows: [[String: Any]] = ranks.map { p in
            let r = model.project(ranks: p)
            return ["ranks": p, "comm_ms": r.commSeconds * 1000, "exposed_ms": r.exposedSeconds * 1000, "step_ms": r.stepSeconds * 1000,
                    "efficiency": r.efficiency, "tokens_per_s": r.tokensPerSecond, "hidden": r.hidden]
        }
        let object: [String: Any] = [
            "config": config, "tokens_per_rank": model.tokensPerRank, "compute_s_per_token": model.computeSecondsPerToken,
            "backward_fraction": model.backwardFraction, "alpha_s": model.link.alpha, "beta_s_per_byte": model.link.beta,
            "overlap": model.overlap, "shard_optimizer": model.shardOptimizer, "first_exposed_ranks": model.firstExposedRanks() ?? NSNull(),
            "projection": rows,
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
