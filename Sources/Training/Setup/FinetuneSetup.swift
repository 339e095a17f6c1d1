import Checkpoints
import Data
import Foundation
import ModelFiles
import RunConfig

/// Everything `trainer finetune` reads before MPI starts: the pre-trained checkpoint, its
/// tokenizer and the records. Every rank reaches the same verdict from the same files, so a
/// problem is reported once and no rank waits for another.
public struct FinetuneSetup {
    /// The config with the checkpoint's model section and the resolved labels.
    public let config: TrainConfig
    /// The pre-trained weights: a checkpoint (validated against its SHA-256s) or a Hugging Face GPT-2 directory.
    public let initFrom: PretrainedWeights
    public let tokenizer: BPETokenizer
    public let labels: [String]
    public let train: FinetuneExamples
    public let val: FinetuneExamples
    /// Remarks for the user, printed by rank 0 (e.g. that the model section was replaced).
    public let notes: [String]

    /// `--set model.…` overrides that give a config the model of its finetune.init_from checkpoint,
    /// to apply before the user's own overrides, so that checks which involve the model (such as
    /// batch_tokens against block_size) see the model that will be trained. Empty when there is
    /// no init_from (loading the config then reports it); throws when it cannot be opened.
    public static func modelOverrides(configPath: String, overrides: [String]) throws -> [String] {
        try PretrainedWeights.modelOverrides(configPath: configPath, overrides: overrides, key: "finetune.init_from")
    }

    public init(config file: TrainConfig, warn: (String) -> Void = { _ in }) throws {
        try FinetuneValidation.check(file)
        var config = file
        var f = file.finetuneSection
        var notes: [String] = []
        initFrom = try PretrainedWeights.open(f.initFrom, warn: warn)
        tokenizer = try initFrom.tokenizer()
        if config.model != initFrom.modelConfig {
            let m = initFrom.modelConfig
            notes.append("model: taken from \(initFrom.directory.path) (n_layer \(m.nLayer), n_head \(m.nHead), n_embd \(m.nEmbd), block_size \(m.blockSize), vocab_size \(m.vocabSize)); the config's model section is ignored")
            config.model = m
        }
        guard f.freezeLayers <= config.model.nLayer else {
            throw ConfigError("finetune.freeze_layers", "\(f.freezeLayers) is more than the model's \(config.model.nLayer) layers")
        }
        let T = config.model.blockSize
        let perStep = config.training.batchTokens / T
        guard config.training.batchTokens % (T * config.training.microBatch) == 0 else {
            throw ConfigError("training.batch_tokens", "\(config.training.batchTokens) is not a multiple of micro_batch × block_size = \(config.training.microBatch) × \(T) (block_size \(T) is the checkpoint's); one record fills one row of block_size tokens")
        }
        if f.task == .classify {
            let trainRecords = try FinetuneRecords.classifications(path: f.trainFile)
            let valRecords = try FinetuneRecords.classifications(path: f.valFile)
            var names = f.labelList
            if names.isEmpty {
                names = Array(Set(trainRecords.map(\.label))).sorted()
                guard names.count >= 2 else {
                    throw TrainingError("\(f.trainFile): every record has the label \"\(names.first ?? "")\"; classification needs at least two labels")
                }
                f.labels = names.joined(separator: ",")
                config.finetune = f
            }
            labels = names
            train = try FinetuneExamples(classifications: trainRecords, labels: names, path: f.trainFile, tokenizer: tokenizer, sequence: T)
            val = try FinetuneExamples(classifications: valRecords, labels: names, path: f.valFile, tokenizer: tokenizer, sequence: T)
        } else {
            labels = []
            train = FinetuneExamples(instructions: try FinetuneRecords.instructions(path: f.trainFile), tokenizer: tokenizer, sequence: T)
            val = FinetuneExamples(instructions: try FinetuneRecords.instructions(path: f.valFile), tokenizer: tokenizer, sequence: T)
        }
        guard train.count >= perStep else {
            throw TrainingError("\(f.trainFile): \(train.count) records, fewer than one batch of \(perStep) (training.batch_tokens / block_size = \(config.training.batchTokens) / \(T)); add records or lower training.batch_tokens")
        }
        if train.truncated + val.truncated > 0 {
            notes.append("\(train.truncated) training and \(val.truncated) validation records are longer than block_size \(T) and were shortened (\(f.task == .classify ? "the text loses its beginning" : "the prompt loses its beginning"))")
        }
        self.config = config
        self.notes = notes
    }
}
