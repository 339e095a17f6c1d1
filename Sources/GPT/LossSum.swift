/// The summed cross-entropy of a forward pass and how many targets it covers.
public struct LossSum: Sendable, Equatable {
    /// Σ of per-token losses (nats) over targets that are not -1.
    public var sum: Double
    /// Number of targets that are not -1.
    public var count: Int

    /// Creates a loss sum.
    public init(sum: Double, count: Int) {
        self.sum = sum
        self.count = count
    }

    /// The mean loss per token, or NaN when no token counted.
    public var mean: Double { count > 0 ? sum / Double(count) : .nan }
}
