import Foundation
import Testing

/// The per-step records of a run's metrics.jsonl, keyed by step, without timing fields.
struct RunMetrics {
    var steps: [Int: [String: String]] = [:]
    var validation: [Int: Double] = [:]

    /// Fields that depend on wall-clock time and so differ between identical runs.
    static let timingFields: Set<String> = ["ms", "tokens_per_s", "allreduce_ms"]

    init(runDirectory: URL) throws {
        let text = try String(contentsOf: runDirectory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        for line in text.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let step = object["step"] as! Int
            if let v = object["val_loss"] as? Double {
                validation[step] = v
            } else {
                var fields: [String: String] = [:]
                for (k, v) in object where !Self.timingFields.contains(k) { fields[k] = "\(v)" }
                steps[step] = fields
            }
        }
    }

    /// Training loss by step.
    var losses: [Int: Double] { steps.compactMapValues { Double($0["loss"] ?? "") } }
}

extension RunMetrics {
    /// A run directory's status.json as a JSON object.
    static func status(_ runDirectory: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: runDirectory.appendingPathComponent("status.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}
