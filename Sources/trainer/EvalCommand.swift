import ArgumentParser
import Foundation
import RunConfig
import Training

extension TrainerCommand {
    /// Measures a checkpoint's loss, perplexity and bits per byte.
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a checkpoint: loss, perplexity and bits per byte on its validation data or on any text file.",
            discussion: "Without --data it evaluates the same validation batches as training did, so it reproduces the logged validation loss. Runs under mpirun too (batches are shared across ranks).")

        @Argument(help: "A checkpoint directory (step-NNNNNNN) or a run directory (its newest valid checkpoint).", completion: .directory)
        var checkpoint: String

        @Option(help: "Evaluate this text file (every window of block_size tokens once) instead of the validation split.", completion: .file())
        var data: String?

        @Option(help: "A LoRA adapter (a checkpoint of a fine-tune with finetune.lora_r > 0, or a PEFT adapter directory) to apply onto the checkpoint; refused if it was trained on other weights.", completion: .directory)
        var adapter: String?

        @Flag(help: "Print one JSON object instead of a line of text.")
        var json = false

        func run() throws {
            Launch.run { comm in
                RunSetup.configureThreads()
                let warn: (String) -> Void = { text in if comm.isRoot { Log.warning(text) } }
                let result = try CheckpointEvaluation.run(checkpoint: checkpoint, adapter: adapter, dataFile: data, comm: comm, warn: warn)
                guard comm.isRoot else { return }
                if json {
                    let object: [String: Any] = [
                        "checkpoint": result.checkpoint.path, "step": result.step, "data": result.source,
                        "loss": result.loss, "perplexity": result.perplexity, "bits_per_byte": result.bitsPerByte,
                        "tokens": result.tokens, "bytes": result.bytes,
                    ]
                    let bytes = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                    print(String(decoding: bytes, as: UTF8.self))
                } else {
                    print("\(result.checkpoint.lastPathComponent) (step \(result.step)) on \(result.source): "
                          + String(format: "loss %.4f | perplexity %.2f | bits per byte %.4f | %ld tokens, %ld bytes",
                                   result.loss, result.perplexity, result.bitsPerByte, result.tokens, result.bytes))
                }
            }
        }
    }
}
