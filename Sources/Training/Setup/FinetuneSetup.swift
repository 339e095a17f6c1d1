import Checkpoints
import Data
import Foundation
import ModelFiles
import RunConfig

/// A fine-tune's records, read before MPI starts with the pre-trained model's tokenizer (the
/// checkpoint itself is opened once, by `RunInputs`). Every rank reaches the same verdict from
/// the same files, so a problem is reported once and no rank waits for another.
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

    /// Reads the records of `config` (checked, its model section already `initFrom`'s, by
    /// `RunInputs`) with the pre-trained model's tokenizer.
    public init(config file: TrainConfig, initFrom: PretrainedWeights) throws {
        var config = file
        var f = file.finetuneSection
        var notes: [String] = []
        self.initFrom = initFrom
        tokenizer = try initFrom.tokenizer()
        let T = config.model.blockSize
        let perStep = config.training.batchTokens / T
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
