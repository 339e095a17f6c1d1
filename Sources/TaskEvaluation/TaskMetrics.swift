import Foundation

/// What one item scored: each choice's (or the target's) log-likelihood, and for generation the text produced.
public struct ItemResult: Sendable, Equatable {
    /// One score per choice; for generation, the target's.
    public var scores: [ContinuationScore]
    /// The generated text, cut at the first stop string (generation only).
    public var generated: String?

    /// Creates a result.
    public init(scores: [ContinuationScore], generated: String? = nil) {
        self.scores = scores
        self.generated = generated
    }
}


/// lm-eval's per-item metrics and their aggregation.
public enum TaskMetrics {
    /// The first index of the largest value (numpy's argmax).
    public static func argmax(_ values: [Double]) -> Int {
        var best = 0
        for j in values.indices.dropFirst() where values[j] > values[best] { best = j }
        return best
    }

    /// 1 when the choice with the highest log-likelihood is the label (lm-eval's `acc`).
    public static func accuracy(_ result: ItemResult, label: Int) -> Double {
        argmax(result.scores.map(\.logLikelihood)) == label ? 1 : 0
    }

    /// 1 when the highest log-likelihood ÷ the choice's length in characters (Python's `len`, code
    /// points, without the target delimiter) is the label's (lm-eval's `acc_norm`).
    public static func normalizedAccuracy(_ result: ItemResult, choices: [String], label: Int) -> Double {
        let normalized = zip(result.scores, choices).map { $0.logLikelihood / Double($1.unicodeScalars.count) }
        return argmax(normalized) == label ? 1 : 0
    }

    /// The arithmetic mean.
    public static func mean(_ values: [Double]) -> Double {
        values.reduce(0, +) / Double(values.count)
    }

    /// lm-eval's `mean_stderr`: the sample standard deviation (n − 1) over √n; NaN for fewer than two values.
    public static func meanStandardError(_ values: [Double]) -> Double {
        guard values.count > 1 else { return .nan }
        let mu = mean(values)
        let squares = values.reduce(0) { $0 + ($1 - mu) * ($1 - mu) }
        return (squares / Double(values.count - 1)).squareRoot() / Double(values.count).squareRoot()
    }
}

/// One metric's value and standard error.
public struct MetricValue: Sendable, Equatable {
    /// The mean over items.
    public var value: Double
    /// lm-eval's standard error of the mean.
    public var stderr: Double

    /// A value and its standard error as they are.
    public init(value: Double, stderr: Double) {
        self.value = value
        self.stderr = stderr
    }

    /// Aggregates per-item values.
    public init(items: [Double]) {
        value = TaskMetrics.mean(items)
        stderr = TaskMetrics.meanStandardError(items)
    }
}

/// A scored task: its figures and every item's result, identical on every rank.
public struct TaskResult: Sendable {
    /// The task's name (file name without .jsonl).
    public let name: String
    /// The task file.
    public let path: String
    /// Few-shot examples per item.
    public let shots: Int
    /// Items scored.
    public let count: Int
    /// Metric name (lm-eval's: acc, acc_norm, exact_match, target_loglikelihood) → value.
    public let metrics: [(name: String, value: MetricValue)]
    /// Per item, in file order.
    public let items: [ItemResult]
    /// The rendered context of each item (for --log-samples).
    public let contexts: [String]
    /// Seconds spent scoring (on rank 0, gathering included).
    public let seconds: Double

    /// The value of `metric`, if the task has it.
    public func metric(_ name: String) -> MetricValue? { metrics.first { $0.name == name }?.value }
}
