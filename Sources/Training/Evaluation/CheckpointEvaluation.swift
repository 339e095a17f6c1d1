import Collectives
import Data
import Foundation
import ModelFiles
import RunConfig

/// `trainer eval`: a saved model's loss, perplexity and bits per byte on its validation split (the
/// same batches training evaluated, so the logged validation loss is reproduced) or on any text file
/// (every window once). Every rank calls it; batches are shared across ranks.
public enum CheckpointEvaluation {
    /// The figures of one evaluation.
    public struct Result: Sendable {
        /// The step directory evaluated.
        public var checkpoint: URL
        public var step: Int
        /// What was evaluated, for people.
        public var source: String
        public var loss: Double
        public var tokens: Int
        public var bytes: Int
        public var perplexity: Double { exp(loss) }
        /// Nats per token → bits per text byte.
        public var bitsPerByte: Double { loss * Double(tokens) / log(2) / Double(max(1, bytes)) }
    }

    /// Evaluates `checkpoint` (a step or run directory) on its validation split, or on `dataFile`.
    /// With `adapter`, a LoRA adapter trained on the checkpoint is merged in first.
    public static func run(checkpoint: String, adapter: String? = nil, dataFile: String?, comm: Communicator,
                           warn: @escaping (String) -> Void) throws -> Result {
        let loaded = try comm.agree { try LoadedCheckpoint(path: checkpoint, batch: 0, warn: warn, batchFromConfig: true, adapter: adapter) }
        let config = loaded.state.config
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-eval-\(getpid())-\(comm.rank)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let dataset = try comm.agree { () throws -> TokenDataset in
            guard let dataFile else { return try TokenDataset(directory: URL(fileURLWithPath: config.data.dir), split: "val", vocabSize: config.model.vocabSize) }
            let tokens = loaded.tokenizer.encode(bytes: try EvaluationText.read(path: dataFile))
            guard tokens.count > config.model.blockSize else {
                throw TrainingError("\(dataFile): \(tokens.count) tokens, fewer than one window of \(config.model.blockSize + 1); evaluate a longer text")
            }
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            try TokenShard.write(tokens: tokens, to: scratch.appendingPathComponent("val_000000.bin"))
            return try TokenDataset(directory: scratch, split: "val", vocabSize: config.model.vocabSize)
        }
        let B = loaded.model.maxBatch
        let loader = BatchLoader(dataset: dataset, sequence: config.model.blockSize, maxBatch: B)
        guard loader.sampleCount > 0 else {
            throw RankFailure(rank: 0, message: "\(config.data.dir): no complete window of \(config.model.blockSize + 1) validation tokens to evaluate")
        }
        let evaluator = Evaluator(model: loaded.model, loader: loader, batch: B, batches: config.eval.batches, wholeSet: dataFile != nil,
                                  exact: config.distributed.exact, comm: comm)
        let result = try evaluator.evaluate(tokenBytes: loaded.tokenizer.textByteCounts)
        return Result(checkpoint: loaded.info.directory, step: loaded.state.step, source: dataFile ?? "validation split of \(config.data.dir)",
                      loss: result.loss, tokens: result.tokens, bytes: result.bytes)
    }
}
