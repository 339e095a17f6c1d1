import Data
import Foundation
import RunConfig

/// state.json: everything besides the tensors that a run needs to continue exactly where it
/// stopped. The learning rate and the sample order are pure functions of (config, step), so the
/// step is their whole state; the seed and sample count are kept to check that.
public struct TrainingState: Codable, Sendable, Equatable {
    /// Bumped when the meaning of a field changes.
    public var formatVersion = 1
    /// Optimizer steps completed.
    public var step: Int
    /// Tokens trained on so far across all ranks.
    public var tokensSeen: Int
    /// Epoch of the next training sample in the sample order.
    public var epoch: Int
    /// Stream position of the next training sample (step × sequences per step).
    public var streamPosition: Int
    /// Seed of the sample order and of the initial weights.
    public var seed: Int
    /// Samples per epoch of the training split when saved.
    public var sampleCount: Int
    /// The learning rate of the last step taken.
    public var learningRate: Double
    /// The resolved config of the run that saved this.
    public var config: TrainConfig
    /// SHA-256 of vocab.json and merges.txt, so a checkpoint is never used with another tokenizer.
    public var tokenizer: [String: String]
    /// SHA-256 of the training data's identifying file (prepared.json or the fine-tuning records);
    /// nil in checkpoints written before it was recorded.
    public var dataHash: String?
    /// Ranks of the job that saved this (resuming on another count is allowed).
    public var worldSize: Int
    /// Validation loss at the last evaluation, if any.
    public var lastValidationLoss: Double?
    /// Best validation loss so far and the step of the checkpoint that had it.
    public var bestValidationLoss: Double?
    public var bestStep: Int?
    /// Wall seconds spent in training steps up to this checkpoint, over every resumed segment
    /// (nil in checkpoints written before it was recorded).
    public var trainingSeconds: Double?
    /// When it was written (ISO 8601), for people.
    public var savedAt: String
    /// Whether every step up to this one summed exactly (`distributed.exact`); nil (checkpoints
    /// written before it was recorded) means not.
    public var exact: Bool? = nil

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", step, tokensSeen = "tokens_seen", epoch, streamPosition = "stream_position"
        case seed, sampleCount = "sample_count", learningRate = "learning_rate", config, tokenizer, dataHash = "data_sha256", worldSize = "world_size"
        case lastValidationLoss = "last_val_loss", bestValidationLoss = "best_val_loss", bestStep = "best_step", savedAt = "saved_at"
        case trainingSeconds = "training_seconds", exact
    }

    /// Decodes state.json, naming the file when it is not a state this version understands. The
    /// stored config goes through `ConfigLoader`, so checkpoints written before a config field
    /// existed get that field's default.
    public static func read(_ data: Data, path: String) throws -> TrainingState {
        do {
            var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            if let stored = object["config"] as? [String: Any] {
                let config = try ConfigLoader.decode(JSONSerialization.data(withJSONObject: stored), source: "\(path) (its config)")
                object["config"] = try JSONSerialization.jsonObject(with: ConfigLoader.canonicalJSON(config))
            }
            let state = try JSONDecoder().decode(TrainingState.self, from: JSONSerialization.data(withJSONObject: object))
            guard state.formatVersion == 1 else {
                throw TrainingError("\(path): state format \(state.formatVersion) is newer than this trainer understands; use a newer trainer")
            }
            try state.checkRanges(path: path)  // issue 13: values from outside, checked before use
            return state
        } catch let error as TrainingError {
            throw error
        } catch let error as ConfigError {
            throw TrainingError("\(error); the checkpoint was written by a newer or different trainer")
        } catch {
            throw TrainingError("\(path): not a valid trainer state (\(error)); the checkpoint is damaged or from another program")
        }
    }

    /// JSON bytes with sorted keys.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return (try? encoder.encode(self)) ?? Data()
    }
}

extension TrainingState {
    /// The state of a run (pre-training or fine-tuning) after `step` steps over `order`.
    public init(step: Int, tokensSeen: Int, sequencesPerStep: Int, order: SampleOrder, learningRate: Double, config: TrainConfig,
         tokenizerDirectory: URL, dataHash: String, worldSize: Int, lastValidationLoss: Double?, best: (loss: Double, step: Int)?,
         trainingSeconds: Double, exact: Bool) {
        let position = step * sequencesPerStep
        self.init(
            step: step, tokensSeen: tokensSeen, epoch: order.epoch(ofStreamPosition: position), streamPosition: position,
            seed: config.training.seed, sampleCount: order.sampleCount, learningRate: learningRate, config: config,
            tokenizer: ModelCheckpoint.tokenizerHashes(tokenizerDirectory), dataHash: dataHash, worldSize: worldSize,
            lastValidationLoss: lastValidationLoss, bestValidationLoss: best?.loss, bestStep: best?.step,
            trainingSeconds: trainingSeconds, savedAt: ISO8601DateFormatter().string(from: Date()), exact: exact)
    }
}
