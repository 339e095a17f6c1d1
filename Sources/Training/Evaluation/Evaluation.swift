import Foundation

/// Held-out figures of one evaluation, whatever the objective.
public struct Evaluation: Sendable {
    /// What `count` counts.
    public enum Unit: String, Sendable {
        /// Held-out tokens of fixed validation batches (pre-training).
        case tokens
        /// Response tokens of every validation record (instruction fine-tuning).
        case responseTokens = "response tokens"
        /// Validation records (classification).
        case records
    }

    /// Mean loss per unit.
    public var loss: Double
    /// How many units were evaluated.
    public var count: Int
    public var unit: Unit
    /// Text bytes the evaluated tokens spell (pre-training, when asked for bits per byte).
    public var bytes: Int = 0
    /// Share of records whose most likely class is the label (classification).
    public var accuracy: Double? = nil
    /// confusion[true · K + predicted] (classification).
    public var confusion: [Int] = []
    /// Class names in class order (classification).
    public var labels: [String] = []
    /// The `eval.tasks` figures of these weights (empty when none are configured).
    public var tasks: [TaskFigure] = []

    /// Bits per byte of the evaluated text (pre-training), or nil when bytes were not counted.
    public var bitsPerByte: Double? {
        bytes > 0 ? loss * Double(count) / log(2) / Double(bytes) : nil
    }

    /// The share of the most common true label: what always guessing it would score.
    public var majorityRate: Double? {
        guard !confusion.isEmpty else { return nil }
        let K = labels.count
        let rows = (0..<K).map { r in (0..<K).reduce(0) { $0 + confusion[r * K + $1] } }
        return Double(rows.max() ?? 0) / Double(max(1, rows.reduce(0, +)))
    }

    /// A confusion table: one row per true label, one column per predicted label.
    public func confusionTable() -> String {
        let K = labels.count
        let width = max(6, (labels.map(\.count).max() ?? 0) + 1)
        func pad(_ s: String) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
        var lines = [pad("true\\pred") + labels.map(pad).joined()]
        for r in 0..<K {
            lines.append(pad(labels[r]) + (0..<K).map { pad(String(confusion[r * K + $0])) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}
