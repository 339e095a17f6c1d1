import Foundation
import RunConfig

extension NetemResults {
    /// The algorithm libnbc runs under a record's coll setting ("nbc-N": coll_libnbc_iallreduce_algorithm N).
    static func nonblocking(_ coll: String) -> CollectiveAlgorithm {
        switch coll {
        case "nbc-1": return .ring
        case "nbc-3": return .rabenseifner
        case "nbc-4": return .recursiveDoubling
        default: return .binomial
        }
    }

    /// The config a record names, from configs/NAME.json under the working directory (nil if absent).
    static func config(_ name: String, overlap: Bool?) -> TrainConfig? {
        let overrides = overlap.map { ["distributed.overlap=\($0)"] } ?? []
        return try? ConfigLoader.load(path: "configs/\(name).json", overrides: overrides)
    }

    private static func row(_ label: String, _ measuredMs: Double, _ modelMs: Double, _ note: String = "") -> String {
        let residual = String(format: "%+6.1f%%", 100 * (modelMs / measuredMs - 1))
        return "  " + label.padding(toLength: 52, withPad: " ", startingAt: 0)
            + String(format: "%10.3f %10.3f  ", measuredMs, modelMs) + residual + (note.isEmpty ? "" : "  " + note)
    }

    /// Rows the fit did not use: GradientSync's overlapped buckets (libnbc), han, and the training steps.
    func predictions(_ key: LinkKey, link: LinkCost) -> [String] {
        var lines: [String] = []
        for r in records where key == LinkKey(rateGbit: r.rateGbit, delayUs: r.delayUs, ranks: r.ranks) {
            if r.kind == "allreduce", let over = r.number("overlapped_ms"), let config = Self.config(r.config, overlap: true) {
                let algorithm = Self.nonblocking(r.coll)
                let point = Self.sum(GradientBuckets.sizes(config: config, overlap: true), ranks: r.ranks, seconds: over / 1000,
                                     label: "") { _ in algorithm }
                lines.append(Self.row("GradientSync overlapped \(r.config) [\(r.coll)]", over, 1000 * point.predicted(link),
                                      "not fitted; libnbc \(algorithm.rawValue)"))
            }
            if r.kind == "allreduce", r.coll == "han", let plain = r.number("plain_ms"), let bytes = r.number("bytes") {
                let model = CollectiveAlgorithm.blockingAllReduce(bytes: bytes, ranks: r.ranks).seconds(bytes: bytes, ranks: r.ranks, link: link)
                lines.append(Self.row("MPI_Allreduce \(r.config) gradients [han]", plain, 1000 * model, "not fitted; model = tuned's algorithm"))
            }
            if r.kind == "step", let line = stepRow(r, link: link) { lines.append(line) }
        }
        return lines
    }

    /// A training step: measured exposed transfer (the all-reduce's exposed time less the wait for the
    /// slowest rank, `StepSplit`) beside the model's exposed time, from the step's own compute.
    func stepRow(_ r: Record, link: LinkCost) -> String? {
        guard let config = Self.config(r.config, overlap: r.overlap), let total = r.step("total"), let forward = r.step("forward"),
              let backward = r.step("backward"), let exposed = r.step("exposed_transfer"), let tps = r.number("tokens_per_s") else { return nil }
        let tokensPerRank = Int((tps * total / 1000 / Double(r.ranks)).rounded())
        let model = ScalingModel(config: config, forwardSeconds: forward / 1000, backwardSeconds: backward / 1000,
                                 optimizerSeconds: (r.step("optimizer") ?? 0) / 1000, otherSeconds: (r.step("other") ?? 0) / 1000,
                                 tokensPerRank: tokensPerRank, link: link, nonblocking: Self.nonblocking(r.coll))
        let p = model.project(ranks: r.ranks)
        let note = String(format: "not fitted; step %.0f ms measured, %.0f model; backward %.0f ms", total, 1000 * p.stepSeconds, backward)
        return Self.row("step \(r.config) overlap \(r.overlap == true ? "on " : "off") [\(r.coll)] exposed transfer", exposed, 1000 * p.exposedSeconds, note)
    }

    /// The whole report: per link, the fitted α and β, then measured beside model for every point.
    public var table: String {
        var lines = ["emulated network: measured ms beside the α–β model (residual = model ÷ measured − 1)",
                     "  " + "what".padding(toLength: 52, withPad: " ", startingAt: 0) + "  measured      model  residual"]
        for (key, fit) in links {
            let rate = key.rateGbit == 0 ? "bare veth (no tbf)" : String(format: "tbf %g Gbit/s", key.rateGbit)
            var head = "\(rate), netem delay \(key.delayUs == 0 ? "none" : String(format: "%g µs", key.delayUs)), \(key.ranks) ranks: "
            guard let fit else { lines += ["", head + "too few points to fit α and β"]; continue }
            let gbits = 8 / fit.link.beta / 1e9
            head += String(format: "α = %.1f µs, β = %.3f ns/B (%.2f Gbit/s effective", fit.link.alpha * 1e6, fit.link.beta * 1e9, gbits)
            head += key.rateGbit > 0 ? String(format: ", %.0f%% of the tbf rate)", 100 * gbits / key.rateGbit) : ")"
            head += String(format: "; worst |residual| %.1f%% over %d fitted points (α from < 64 KiB, β from ≥ 1 MiB)", 100 * fit.worst, fit.residuals.count)
            lines += ["", head]
            let r = regimes(key)
            for (i, (point, residual)) in zip(r.latency + r.bandwidth, fit.residuals).enumerated() {
                lines.append(Self.row(point.label, 1000 * point.seconds, 1000 * point.seconds * (1 + residual), i < r.latency.count ? "fits α" : "fits β"))
            }
            for point in fitPoints(key) where point.byteTerm >= 65536 && point.byteTerm < Self.bandwidthBytes {
                lines.append(Self.row(point.label, 1000 * point.seconds, 1000 * point.predicted(fit.link), "between the regimes, not fitted"))
            }
            lines += predictions(key, link: fit.link)
        }
        return lines.joined(separator: "\n")
    }
}
