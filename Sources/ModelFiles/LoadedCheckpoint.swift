import Checkpoints
import Data
import Foundation
import GPT
import RunConfig

/// A saved model opened for evaluation or sampling: its state, weights and tokenizer.
public struct LoadedCheckpoint {
    public let info: CheckpointInfo
    public let state: TrainingState
    public let model: GPTModel
    public let tokenizer: BPETokenizer

    /// Validates `path` (a step directory or a run directory, whose newest valid checkpoint is
    /// used) and loads its weights into a model sized for `batch` sequences of up to block_size
    /// (or the run's micro_batch with `batchFromConfig`).
    public init(path: String, batch: Int, warn: (String) -> Void, batchFromConfig: Bool = false) throws {
        info = try CheckpointStore.resolve(path: URL(fileURLWithPath: path), warn: warn)
        state = try TrainingState.read(info.state, path: info.file(CheckpointStore.stateFileName).path)
        tokenizer = try BPETokenizer.load(from: info.directory)
        guard tokenizer.vocabSize == state.config.model.vocabSize else {
            throw TrainingError("\(info.directory.path): the tokenizer has \(tokenizer.vocabSize) tokens but the model \(state.config.model.vocabSize); the checkpoint is inconsistent")
        }
        let maxBatch = batchFromConfig ? state.config.training.microBatch : batch
        try MemoryRequirement(model: state.config.model, batch: maxBatch, sequence: state.config.model.blockSize, optimizer: false)
            .checkFits(ranks: LaunchEnvironment.current.localSize, available: AvailableMemory.current())  // issue 13: refuse before allocating
        model = GPTModel(config: state.config.model, maxBatch: maxBatch, maxSequence: state.config.model.blockSize)
        try ModelCheckpoint.load(from: info.directory, into: model, optimizer: nil)
    }
}
