import ArgumentParser
import Collectives
import Data
import Foundation
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

        @Flag(help: "Print one JSON object instead of a line of text.")
        var json = false

        func run() throws {
            Launch.run { comm in
                RunSetup.configureThreads()
                let warn: (String) -> Void = { text in if comm.isRoot { FileHandle.standardError.write(Data("warning: \(text)\n".utf8)) } }
                let loaded = try comm.agree { try LoadedCheckpoint(path: checkpoint, batch: 0, warn: warn, batchFromConfig: true) }!
                let config = loaded.state.config
                let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-eval-\(getpid())-\(comm.rank)")
                defer { try? FileManager.default.removeItem(at: scratch) }
                let dataset = try comm.agree { () throws -> TokenDataset in
                    guard let data else { return try TokenDataset(directory: URL(fileURLWithPath: config.data.dir), split: "val", vocabSize: config.model.vocabSize) }
                    guard let text = FileManager.default.contents(atPath: data) else {
                        throw TrainingError("\(data): cannot read the file; pass a readable text file to --data")
                    }
                    let tokens = loaded.tokenizer.encode(bytes: [UInt8](text))
                    guard tokens.count > config.model.blockSize else {
                        throw TrainingError("\(data): \(tokens.count) tokens, fewer than one window of \(config.model.blockSize + 1); evaluate a longer text")
                    }
                    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
                    try TokenShard.write(tokens: tokens, to: scratch.appendingPathComponent("val_000000.bin"))
                    return try TokenDataset(directory: scratch, split: "val", vocabSize: config.model.vocabSize)
                }!
                let B = loaded.model.maxBatch
                let loader = BatchLoader(dataset: dataset, sequence: config.model.blockSize, maxBatch: B)
                guard loader.sampleCount > 0 else {
                    throw RankFailure(rank: 0, message: "\(config.data.dir): no complete window of \(config.model.blockSize + 1) validation tokens to evaluate")
                }
                let evaluator = Evaluator(model: loaded.model, loader: loader, batch: B, batches: config.eval.batches, wholeSet: data != nil, comm: comm)
                let tokenBytes = (0..<loaded.tokenizer.vocabSize).map { id in
                    Int32(id) == loaded.tokenizer.endOfText ? 0 : loaded.tokenizer.bytes(ofToken: Int32(id)).count
                }
                let result = try evaluator.evaluate(tokenBytes: tokenBytes)
                guard comm.isRoot else { return }
                let bitsPerByte = result.loss * Double(result.tokens) / log(2) / Double(max(1, result.bytes))
                let source = data ?? "validation split of \(config.data.dir)"
                if json {
                    let object: [String: Any] = [
                        "checkpoint": loaded.info.directory.path, "step": loaded.state.step, "data": source,
                        "loss": result.loss, "perplexity": exp(result.loss), "bits_per_byte": bitsPerByte,
                        "tokens": result.tokens, "bytes": result.bytes,
                    ]
                    let bytes = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                    print(String(decoding: bytes, as: UTF8.self))
                } else {
                    print("\(loaded.info.directory.lastPathComponent) (step \(loaded.state.step)) on \(source): "
                          + String(format: "loss %.4f | perplexity %.2f | bits per byte %.4f | %d tokens, %d bytes",
                                   result.loss, exp(result.loss), bitsPerByte, result.tokens, result.bytes))
                }
            }
        }
    }
}
