import ArgumentParser
import Foundation
import Inference
import RunConfig
import Training

extension TrainerCommand {
    /// Labels a text with a classification fine-tune.
    struct Classify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Classify a text with a checkpoint of `trainer finetune` (task classify): prints the label and its probability.",
            discussion: "Prints one line per label, most likely first (at most --top lines): `label probability`.")

        @Argument(help: "A classification fine-tune's checkpoint directory (step-NNNNNNN) or run directory.", completion: .directory)
        var checkpoint: String

        @Option(help: "A LoRA adapter (a checkpoint of a fine-tune with finetune.lora_r > 0, or a PEFT adapter directory) to apply onto the checkpoint; refused if it was trained on other weights.", completion: .directory)
        var adapter: String?

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
                let classifier = try TextClassifier(checkpoint: checkpoint, adapter: adapter, warn: { Log.warning($0) })
                let probabilities = classifier.probabilities(of: text)
                for k in probabilities.indices.sorted(by: { probabilities[$0] > probabilities[$1] }).prefix(top) {
                    print(classifier.labels[k] + " " + String(format: "%.4f", probabilities[k]))
                }
            }
        }
    }
}
