import Collectives
import Foundation

/// The trainer as the step loop sees it (`trainStep` is the trainer's own).
extension Trainer: StepLoopHost {
    /// Writes the checkpoint of the current step (rank 0).
    public func save(learningRate: Double) throws -> URL {
        try saveCheckpoint(learningRate: learningRate).directory
    }

    /// Evaluates, remembers the result as the last and maybe best validation loss, and reports it.
    public func evaluate(onEvent: (TrainingEvent) -> Void) throws {
        let result = try evaluate()
        lastEvaluation = result
        lastValidationLoss = result.loss
        if result.loss.isFinite, result.loss < best?.loss ?? .infinity { best = (result.loss, step) }
        if comm.isRoot { onEvent(.evaluation(step: step, tokens: tokensSeen, result)) }
    }

    /// Compares every rank's weights and optimizer state with rank 0's; with a sharded optimizer,
    /// rank 0 then gathers the shards for the save.
    public func verifyReplicas() throws -> Int {
        let replicas = try ReplicaCheck.verify(replicaBuffers, step: step, comm: comm)
        try gatherShards()
        return replicas
    }

    /// Everything that must be identical on every rank, and that a checkpoint writes.
    var replicaBuffers: [UnsafeMutableBufferPointer<Float>] {
        [model.parameters] + (model.lora.map { [$0.values] } ?? []) + optimizerBuffers + (extra.map { [$0.values, $0.optimizer.m, $0.optimizer.v] } ?? [])
    }
}
