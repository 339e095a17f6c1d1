import Collectives
import Data
import Foundation
import GPT
import ModelFiles
import RunConfig

/// Pre-training: next-token prediction over windows of block_size + 1 tokens of the prepared
/// shards; evaluation is the mean loss over `eval.batches` fixed validation batches.
public final class LanguageModelObjective: TrainingObjective {
    public let name = "pretrain"
    public let sequence: Int
    public let sampleCount: Int
    public let dataHash: String
    private let train: BatchLoader
    private let val: BatchLoader
    private let microBatch: Int
    private let evalBatches: Int
    private let tokenBytes: [Int]
    private let exact: Bool

    /// Opens the train and validation splits of `data` for micro-batches of `plan.microBatch`.
    public init(config: TrainConfig, plan: BatchPlan, data: PreparedData) throws {
        let T = config.model.blockSize
        sequence = T
        microBatch = plan.microBatch
        evalBatches = config.eval.batches
        exact = config.distributed.exact
        let trainSet = data.train, valSet = data.val
        train = BatchLoader(dataset: trainSet, sequence: T, maxBatch: plan.microBatch)
        val = BatchLoader(dataset: valSet, sequence: T, maxBatch: plan.microBatch)
        guard train.sampleCount >= plan.sequencesPerStep else {
            throw TrainingError("\(data.directory.path): the training split has \(trainSet.count) tokens, fewer than one batch of \(plan.tokensPerStep); use a larger corpus or a smaller training.batch_tokens")
        }
        guard val.sampleCount > 0 else {
            throw TrainingError("\(data.directory.path): the validation split has \(valSet.count) tokens, fewer than one sequence of \(T + 1); raise data.val_fraction or lower model.block_size")
        }
        sampleCount = train.sampleCount
        tokenBytes = data.tokenizer.textByteCounts
        dataHash = FileDigest.sha256(data.identity())
    }

    /// Every target of every window counts.
    public func lossCount(of samples: [Int]) -> Int { samples.count * sequence }

    public func forward(model: GPTModel, samples: [Int]) -> Double {
        train.load(batch: samples.count) { samples[$0] }
        return model.forward(inputs: UnsafeBufferPointer(train.inputs), targets: UnsafeBufferPointer(train.targets),
                             batch: samples.count, sequence: sequence).sum
    }

    public func backward(model: GPTModel, lossScale: Float, onFinalGradients: ((Range<Int>) -> Void)?) {
        model.backward(lossScale: lossScale, onFinalGradients: onFinalGradients)
    }

    public func evaluate(model: GPTModel, comm: Communicator) throws -> Evaluation {
        let result = try Evaluator(model: model, loader: val, batch: microBatch, batches: evalBatches, exact: exact, comm: comm).evaluate(tokenBytes: tokenBytes)
        return Evaluation(loss: result.loss, count: result.tokens, unit: .tokens, bytes: result.bytes)
    }
}
