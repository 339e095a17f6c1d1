import Checkpoints
import Collectives
import Foundation
import GPT
import ModelFiles

/// What differs between pre-training, instruction fine-tuning and classification: how a
/// micro-batch is built and what its loss is, which parameters besides the GPT's are trained,
/// what evaluation reports and which files a checkpoint adds. `Trainer` does everything else
/// (sample order, gradient sync, clipping, AdamW, checkpoints, the step loop) the same way for all.
public protocol TrainingObjective: AnyObject {
    /// What `finetune.task` calls it, or "pretrain"; recorded for resume checks.
    var name: String { get }
    /// Samples the seeded sample order permutes: token windows or records.
    var sampleCount: Int { get }
    /// Rows of every micro-batch are this many tokens (the block size).
    var sequence: Int { get }
    /// Trainable parameters besides the GPT's (a classification head), or nil.
    var extraParameters: ExtraParameters? { get }
    /// The embeddings and this many lowest blocks stay frozen (0 trains everything).
    var frozenLayers: Int { get }
    /// Held-out figures are logged once before the first step (fine-tuning does this).
    var evaluatesBeforeTraining: Bool { get }
    /// Hex SHA-256 of the bytes that identify the training data (prepared.json, the shards' names,
    /// sizes and times when used as they are, or the training records), kept in state.json and
    /// compared on resume.
    var dataHash: String { get }

    /// Loss terms in a global batch made of `samples`: the divisor of the step's summed loss.
    func lossCount(of samples: [Int]) -> Int
    /// Runs the forward pass over the micro-batch of `samples`; returns its summed loss.
    func forward(model: GPTModel, samples: [Int]) -> Double
    /// Adds lossScale × the gradient of the last forward's loss (model and extra parameters).
    func backward(model: GPTModel, lossScale: Float, onFinalGradients: ((Range<Int>) -> Void)?)
    /// Held-out figures, the same at any rank count (every rank calls this).
    func evaluate(model: GPTModel, comm: Communicator) throws -> Evaluation
    /// Draws the extra parameters from the seed (rank 0, fresh runs only).
    func initializeExtraParameters(seed: Int)
    /// A classification head and its labels, which model.safetensors and config.json hold as
    /// transformers' GPT2ForSequenceClassification expects; nil for the language-model objectives.
    var classificationHead: (head: ClassifierHead, labels: [String])? { get }
    /// Files a checkpoint holds besides the model, its AdamW moments and the tokenizer.
    func checkpointFiles() -> [CheckpointFile]
    /// Loads those files (weights and moments) from a checkpoint directory.
    func loadCheckpointFiles(from directory: URL) throws
    /// Lines rank 0 prints at the end of a run, after the last evaluation (e.g. a confusion table).
    func finalReport(step: Int, last: Evaluation?) -> String?
}

/// Parameters an objective trains besides the GPT's, with their gradients and AdamW moments.
public struct ExtraParameters {
    /// The values, one flat buffer.
    public let values: UnsafeMutableBufferPointer<Float>
    /// Their gradients, same size; zeroed every step, summed across ranks.
    public let gradients: UnsafeMutableBufferPointer<Float>
    /// Their optimizer (moments checkpointed by the objective).
    public let optimizer: AdamW
}

extension TrainingObjective {
    public var extraParameters: ExtraParameters? { nil }
    public var frozenLayers: Int { 0 }
    public var classificationHead: (head: ClassifierHead, labels: [String])? { nil }
    public var evaluatesBeforeTraining: Bool { false }
    public func initializeExtraParameters(seed: Int) {}
    public func checkpointFiles() -> [CheckpointFile] { [] }
    public func loadCheckpointFiles(from directory: URL) throws {}
    public func finalReport(step: Int, last: Evaluation?) -> String? { nil }
}
