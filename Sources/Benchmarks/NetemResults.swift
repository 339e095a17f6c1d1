import Foundation
import RunConfig

/// launch/netem-bench.sh's measurements (one JSON object a line), read back by `trainer bench --fit`.
public struct NetemResults {
    /// One run of `trainer bench` over the emulated network.
    public struct Record {
        /// "allreduce" (`bench --allreduce`) or "step" (`bench --steps`).
        public var kind: String
        public var config: String
        public var ranks: Int
        public var rateGbit: Double
        public var delayUs: Double
        /// "tuned" (Open MPI's default), "han", or "nbc-N" (coll_libnbc_iallreduce_algorithm N).
        public var coll: String
        public var overlap: Bool?
        /// trainer bench's own JSON object.
        public var bench: [String: Any]

        func number(_ key: String) -> Double? { (bench[key] as? NSNumber)?.doubleValue }
        func step(_ key: String) -> Double? { ((bench["ms_per_step"] as? [String: Any])?[key] as? NSNumber)?.doubleValue }
    }

    /// A link setting: tbf rate (0 = bare veth), netem delay, ranks.
    public struct LinkKey: Hashable, Comparable {
        public var rateGbit: Double, delayUs: Double, ranks: Int
        public static func < (a: LinkKey, b: LinkKey) -> Bool {
            (a.rateGbit == 0 ? .infinity : a.rateGbit, a.delayUs, a.ranks) > (b.rateGbit == 0 ? .infinity : b.rateGbit, b.delayUs, b.ranks)
        }
    }

    /// A file that is not what netem-bench.sh writes: which line, and what is wrong with it.
    public struct FileError: Error, CustomStringConvertible {
        public var description: String
    }

    public var records: [Record]

    /// Reads `path`: every non-empty line one record.
    public static func load(path: String) throws(FileError) -> NetemResults {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw FileError(description: "\(path): cannot be read; pass the JSON-lines file launch/netem-bench.sh --out wrote")
        }
        var records: [Record] = []
        for (i, line) in text.split(separator: "\n").enumerated() where !line.allSatisfy(\.isWhitespace) {
            guard let o = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                  let kind = o["kind"] as? String, let config = o["config"] as? String,
                  let ranks = (o["ranks"] as? NSNumber)?.intValue, let rate = (o["rate_gbit"] as? NSNumber)?.doubleValue,
                  let bench = o["bench"] as? [String: Any] else {
                throw FileError(description: "\(path):\(i + 1): not a netem-bench record (needs kind, config, ranks, rate_gbit, bench)")
            }
            records.append(Record(kind: kind, config: config, ranks: ranks, rateGbit: rate,
                                  delayUs: (o["delay_us"] as? NSNumber)?.doubleValue ?? 0, coll: o["coll"] as? String ?? "tuned",
                                  overlap: o["overlap"] as? Bool, bench: bench))
        }
        return NetemResults(records: records)
    }

    /// The points α and β are fitted to on one link: the blocking MPI_Allreduce sweep, the whole
    /// gradient in one MPI_Allreduce, and GradientSync's blocking buckets (Open MPI's default coll).
    public func fitPoints(_ key: LinkKey) -> [AlphaBetaFit.Point] {
        var points: [AlphaBetaFit.Point] = []
        for r in records where r.kind == "allreduce" && r.coll == "tuned" && key == LinkKey(rateGbit: r.rateGbit, delayUs: r.delayUs, ranks: r.ranks) {
            for s in r.bench["sweep"] as? [[String: Any]] ?? [] {
                guard let bytes = (s["bytes"] as? NSNumber)?.doubleValue, let ms = (s["ms"] as? NSNumber)?.doubleValue else { continue }
                points.append(.init(.blockingAllReduce(bytes: bytes, ranks: r.ranks), bytes: bytes, ranks: r.ranks, seconds: ms / 1000,
                                    label: "MPI_Allreduce \(Self.size(bytes))"))
            }
            guard let bytes = r.number("bytes"), let plain = r.number("plain_ms") else { continue }
            points.append(.init(.blockingAllReduce(bytes: bytes, ranks: r.ranks), bytes: bytes, ranks: r.ranks, seconds: plain / 1000,
                                label: "MPI_Allreduce \(r.config) gradients \(Self.size(bytes))"))
            if let bucketed = r.number("bucketed_ms"), let mb = r.number("bucket_mb") {
                let chunk = max(4096, (mb * 1048576).rounded(.down))
                let sizes = stride(from: 0, to: bytes, by: chunk).map { min(chunk, bytes - $0) }
                points.append(Self.sum(sizes, ranks: r.ranks, seconds: bucketed / 1000, label: "GradientSync \(Self.size(chunk)) buckets \(r.config)") {
                    .blockingAllReduce(bytes: $0, ranks: r.ranks)
                })
            }
        }
        return points
    }

    /// Several collectives back to back as one point: their coefficients add up.
    static func sum(_ sizes: [Double], ranks: Int, seconds: Double, label: String,
                    algorithm: (Double) -> CollectiveAlgorithm) -> AlphaBetaFit.Point {
        var point = AlphaBetaFit.Point(messages: 0, byteTerm: 0, seconds: seconds, label: label)
        for b in sizes {
            let one = AlphaBetaFit.Point(algorithm(b), bytes: b, ranks: ranks, seconds: seconds)
            point.messages += one.messages
            point.byteTerm += one.byteTerm
        }
        return point
    }

    /// Messages from this size on are fitted for β, those under 64 KiB for α (`fitTwoRegimes`).
    static let bandwidthBytes = 1_048_576.0

    /// A link's fit points split by regime (the 64 KiB – 1 MiB ones are shown, not fitted).
    public func regimes(_ key: LinkKey) -> (latency: [AlphaBetaFit.Point], bandwidth: [AlphaBetaFit.Point]) {
        let points = fitPoints(key)
        return (points.filter { $0.byteTerm < 65536 }, points.filter { $0.byteTerm >= Self.bandwidthBytes })
    }

    /// Every link measured, fastest first, with its fit (nil where it has too few points).
    public var links: [(key: LinkKey, fit: AlphaBetaFit.Result?)] {
        Set(records.map { LinkKey(rateGbit: $0.rateGbit, delayUs: $0.delayUs, ranks: $0.ranks) }).sorted().map {
            let r = regimes($0)
            return ($0, AlphaBetaFit.fitTwoRegimes(latency: r.latency, bandwidth: r.bandwidth))
        }
    }

    /// "8 B", "64 KiB", "13.6 MiB".
    static func size(_ bytes: Double) -> String {
        if bytes < 1024 { return "\(Int(bytes)) B" }
        if bytes < 1048576 { return String(format: "%.0f KiB", bytes / 1024) }
        return String(format: "%.1f MiB", bytes / 1048576)
    }
}

extension NetemResults {
    /// The fitted tbf link whose rate is nearest `gbits` (log scale; most ranks on ties): its α and
    /// the share of the tbf rate it reached (at most 1), for `--project --fit`.
    public func nearestFit(gbits: Double) -> (key: LinkKey, alpha: Double, efficiency: Double)? {
        let shaped = links.compactMap { l in l.fit.map { (l.key, $0) } }.filter { $0.0.rateGbit > 0 && $0.0.delayUs == 0 }
        guard let best = shaped.min(by: { a, b in
            let (da, db) = (abs(log(a.0.rateGbit / gbits)), abs(log(b.0.rateGbit / gbits)))
            return da != db ? da < db : a.0.ranks > b.0.ranks
        }) else { return nil }
        let effective = 8 / best.1.link.beta / 1e9
        return (best.0, best.1.link.alpha, min(1, effective / best.0.rateGbit))
    }
}
