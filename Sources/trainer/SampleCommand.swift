import ArgumentParser
import Data
import Foundation
import Training

extension TrainerCommand {
    /// Generates text from a checkpoint.
    struct Sample: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate text from a checkpoint, streamed to stdout (key/value cache; same seed, same text).")

        @Argument(help: "A checkpoint directory (step-NNNNNNN) or a run directory (its newest valid checkpoint).", completion: .directory)
        var checkpoint: String

        @Option(help: "Text to continue; empty starts a new document.")
        var prompt = ""

        @Option(help: "An instruction: the prompt becomes the fine-tuning template with it (README, \"Fine-tuning\").")
        var instruction: String?

        @Option(help: "The input that goes with --instruction (optional).")
        var input = ""

        @Option(help: "Tokens to generate at most.")
        var maxTokens = 200

        @Option(help: "Sampling temperature; 0 always takes the most likely token.")
        var temperature = 0.8

        @Option(help: "Sample only among the k most likely tokens; 0 for all.")
        var topK = 40

        @Option(help: "Random seed of the sampler.")
        var seed: UInt64 = 1337

        func validate() throws {
            guard maxTokens >= 0 else { throw ValidationError("--max-tokens must be 0 or more") }
            guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be 0 or a positive number") }
            guard topK >= 0 else { throw ValidationError("--top-k must be 0 (all tokens) or more") }
            guard instruction == nil || prompt.isEmpty else { throw ValidationError("--prompt and --instruction exclude each other") }
            guard instruction != nil || input.isEmpty else { throw ValidationError("--input needs --instruction") }
        }

        func run() throws {
            Launch.run { comm in
                guard comm.isRoot else { return }  // generation is sequential: one rank does it
                RunSetup.configureThreads()
                let loaded = try LoadedCheckpoint(path: checkpoint, batch: 1, warn: { FileHandle.standardError.write(Data("warning: \($0)\n".utf8)) })
                let tokenizer = loaded.tokenizer
                let text = instruction.map { InstructionTemplate.prompt(instruction: $0, input: input) } ?? self.prompt
                let prompt = text.isEmpty ? [tokenizer.endOfText] : tokenizer.encode(text, allowSpecial: true)
                let generator = TextGenerator(model: loaded.model, endOfText: tokenizer.endOfText)
                let out = FileHandle.standardOutput
                out.write(Data(text.utf8))
                var pending: [UInt8] = []
                generator.generate(prompt: prompt, settings: .init(maxTokens: maxTokens, temperature: temperature, topK: topK, seed: seed)) { token in
                    // Tokens can end inside a UTF-8 character: print only whole characters.
                    pending += tokenizer.bytes(ofToken: token)
                    let complete = Self.completeUTF8Prefix(pending)
                    out.write(Data(pending[..<complete]))
                    pending.removeFirst(complete)
                }
                out.write(Data(pending))
                out.write(Data("\n".utf8))
            }
        }

        /// Length of the longest prefix of `bytes` that does not end inside a UTF-8 sequence.
        static func completeUTF8Prefix(_ bytes: [UInt8]) -> Int {
            var i = bytes.count
            var back = 0
            while i > 0 && back < 4 {
                let b = bytes[i - 1]
                if b & 0xC0 != 0x80 {  // a lead byte or ASCII
                    let need = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                    return back + 1 >= need ? bytes.count : i - 1
                }
                i -= 1
                back += 1
            }
            return bytes.count
        }
    }
}
