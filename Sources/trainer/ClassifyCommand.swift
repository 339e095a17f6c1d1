import ArgumentParser
import Data
import Foundation
import GPT
import Training

extension TrainerCommand {
    /// Labels a text with a classification fine-tune.
    struct Classify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Classify a text with a checkpoint of `trainer finetune` (task classify): prints the label and its probability.",
            discussion: "Prints one line per label, most likely first (at most --top lines): `label probability`.")

        @Argument(help: "A classification fine-tune's checkpoint directory (step-NNNNNNN) or run directory.", completion: .directory)
        var checkpoint: String

        @Option(help: "The text to classify.")
        var text: String

        @Option(help: "How many labels to print, most likely first.")
        var top = 3

        func validate() throws {
            guard top >= 1 else { throw ValidationError("--top must be 1 or more") }
        }

        func run() throws {
            Launch.run { comm in
                guard comm.isRoot else { return }
                RunSetup.configureThreads()
                let loaded = try LoadedCheckpoint(path: checkpoint, batch: 1, warn: { FileHandle.standardError.write(Data("warning: \($0)\n".utf8)) })
                let f = loaded.state.config.finetuneSection
                let labels = f.labelList
                guard f.task == "classify", labels.count >= 2, ModelCheckpoint.hasClassifier(in: loaded.info.directory) else {
                    throw TrainingError("\(loaded.info.directory.path) is not a classification fine-tune (no score.weight in \(ModelCheckpoint.modelFile)); use a checkpoint of `trainer finetune` with finetune.task \"classify\"")
                }
                let head = ClassifierHead(classes: labels.count, channels: loaded.model.config.nEmbd)
                try ClassifierCheckpoint.load(from: loaded.info.directory, into: head, optimizer: false)
                let probabilities = Self.classify(text, model: loaded.model, head: head, tokenizer: loaded.tokenizer)
                for k in probabilities.indices.sorted(by: { probabilities[$0] > probabilities[$1] }).prefix(top) {
                    print(labels[k] + " " + String(format: "%.4f", probabilities[k]))
                }
            }
        }

        /// The class probabilities of `text`, read as in training: its tokens then <|endoftext|>,
        /// the last block_size of them, features at the last one.
        static func classify(_ text: String, model: GPTModel, head: ClassifierHead, tokenizer: BPETokenizer) -> [Float] {
            let tokens = Array((tokenizer.encode(text) + [tokenizer.endOfText]).suffix(model.config.blockSize))
            let features = tokens.withUnsafeBufferPointer { model.forwardFeatures(inputs: $0, batch: 1, sequence: tokens.count) }
            head.forward(features: features, rows: [tokens.count - 1], labels: [-1])
            return head.probabilities
        }
    }
}
