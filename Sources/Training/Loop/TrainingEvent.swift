import Foundation

/// What the training loop reports to rank 0's logger, one value per event.
public enum TrainingEvent: Sendable {
    /// An optimizer step finished (or was skipped because of a non-finite loss or gradient).
    case step(StepRecord)
    /// Held-out figures were measured after `step` steps (0: before the first step).
    case evaluation(step: Int, tokens: Int, Evaluation)
    /// Rank 0 wrote a checkpoint of `step` steps, after `replicas` ranks were found identical.
    case saved(step: Int, directory: URL, seconds: Double, replicas: Int)
    /// A warning for the user (e.g. a skipped step).
    case warning(String)
}

/// The figures of one optimizer step.
public struct StepRecord: Sendable, Codable, Equatable {
    /// 0-based index of the step that just ran.
    public var step: Int
    /// Mean training loss over the global batch.
    public var loss: Double
    /// Learning rate used for the update.
    public var lr: Double
    /// Global gradient norm before clipping.
    public var gradNorm: Double
    /// Tokens trained on so far, this step included.
    public var tokens: Int
    /// True when the update was skipped because the loss or gradients were not finite.
    public var skipped: Bool
    /// Wall-clock milliseconds of the step.
    public var milliseconds: Double
    /// Training throughput of this step across all ranks.
    public var tokensPerSecond: Double
    /// Milliseconds spent waiting for the gradient all-reduce.
    public var allReduceMilliseconds: Double

    /// A record of every figure.
    public init(step: Int, loss: Double, lr: Double, gradNorm: Double, tokens: Int, skipped: Bool,
                milliseconds: Double, tokensPerSecond: Double, allReduceMilliseconds: Double) {
        self.step = step
        self.loss = loss
        self.lr = lr
        self.gradNorm = gradNorm
        self.tokens = tokens
        self.skipped = skipped
        self.milliseconds = milliseconds
        self.tokensPerSecond = tokensPerSecond
        self.allReduceMilliseconds = allReduceMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case step, loss, lr, gradNorm = "grad_norm", tokens, skipped, milliseconds = "ms"
        case tokensPerSecond = "tokens_per_s", allReduceMilliseconds = "allreduce_ms"
    }
}
