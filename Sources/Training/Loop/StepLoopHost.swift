import Foundation

/// What the step loop drives: the `Trainer`, or a stand-in in tests of the loop's decisions.
public protocol StepLoopHost: AnyObject {
    /// Optimizer steps completed.
    var step: Int { get }
    /// One optimizer step at `learningRate` on every rank.
    func trainStep(learningRate: Double) throws -> StepRecord
    /// Measures the held-out figures on every rank; rank 0 reports them through `onEvent`.
    func evaluate(onEvent: (TrainingEvent) -> Void) throws
    /// How many ranks hold identical replicas, asked on every rank before a save (throws when they differ).
    func verifyReplicas() throws -> Int
    /// Writes a checkpoint of the current step and returns its directory (called on rank 0 only).
    func save(learningRate: Double) throws -> URL
}
