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
    /// The LoRA adapter merged into `model` (`--adapter`), if any.
    public let adapter: URL?

    /// Validates `path` (a step directory or a run directory, whose newest valid checkpoint is
    /// used) and loads its weights into a model sized for `batch` sequences of up to block_size
    /// (or the run's micro_batch with `batchFromConfig`); with `adapter`, a LoRA adapter trained on
    /// these weights is merged in (AdapterMerge).
    public init(path: String, batch: Int, warn: (String) -> Void, batchFromConfig: Bool = false, adapter: String? = nil) throws {
        info = try CheckpointStore.resolve(path: URL(fileURLWithPath: path), warn: warn)
        if PEFTAdapter.isAdapter(info.directory), !FileManager.default.fileExists(atPath: info.file(ModelCheckpoint.modelFile).path) {
            let base = (try? LoRABase.read(info.directory).path) ?? "its base checkpoint"
            throw TrainingError("\(info.directory.path) is a LoRA adapter (no \(ModelCheckpoint.modelFile)); load its base with the adapter on top: \(base) --adapter \(info.directory.path)")
        }
        self.adapter = try adapter.map { try AdapterMerge.resolve($0, warn: warn) }
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
        try FiniteWeights.check(model, checkpoint: info.directory.path)
        if let adapter = self.adapter { try AdapterMerge.merge(adapter, into: model, base: info.directory, warn: warn) }
    }
}
