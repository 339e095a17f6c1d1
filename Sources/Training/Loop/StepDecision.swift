/// What rank 0 decided for the coming step, broadcast so that every rank does the same thing.
public struct StepDecision: BitwiseCopyable, Sendable, Equatable {
    /// Learning rate for this step's update.
    public var learningRate: Double
    /// Measure validation loss after this step.
    public var evaluate: Bool
    /// Write a checkpoint after this step.
    public var save: Bool
    /// Stop after this step (end of run or a signal).
    public var stop: Bool

    public init(learningRate: Double, evaluate: Bool, save: Bool, stop: Bool) {
        self.learningRate = learningRate
        self.evaluate = evaluate
        self.save = save
        self.stop = stop
    }
}
