import Checkpoints
import RunConfig

extension TrainingState {
    /// Throws, naming the field, when state.json holds a value no run writes (a damaged or
    /// hand-edited file): the loop turns these into sample positions and loop bounds.
    public func checkRanges(path: String) throws(TrainingError) {
        func bad(_ field: String, _ value: Any, _ range: String) -> TrainingError {
            TrainingError("\(path): \"\(field)\" is \(value), outside \(range); the checkpoint is damaged or was not written by trainer")
        }
        let maxStep = CheckpointStore.maxStep
        guard (0...maxStep).contains(step) else { throw bad("step", step, "0...\(maxStep)") }
        guard tokensSeen >= 0 else { throw bad("tokens_seen", tokensSeen, "0 or more") }
        guard epoch >= 0 else { throw bad("epoch", epoch, "0 or more") }
        guard streamPosition >= 0 else { throw bad("stream_position", streamPosition, "0 or more") }
        guard seed >= 0 else { throw bad("seed", seed, "0 or more") }
        guard sampleCount >= 0 else { throw bad("sample_count", sampleCount, "0 or more") }
        guard (1...1_000_000).contains(worldSize) else { throw bad("world_size", worldSize, "1...1000000") }
        guard learningRate.isFinite, learningRate >= 0 else { throw bad("learning_rate", learningRate, "the finite numbers 0 or more") }
        if let bestStep, !(0...maxStep).contains(bestStep) { throw bad("best_step", bestStep, "0...\(maxStep)") }
    }
}
