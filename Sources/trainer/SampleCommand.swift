import ArgumentParser
import Foundation
import Inference
import RunConfig
import Training

extension TrainerCommand {
    /// Generates text from a checkpoint.
    struct Sample: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate text from a checkpoint, streamed to stdout (key/value cache; same seed, same text).",
            discussion: """
            Sampling: logits / temperature, then --top-k, then --top-p (nucleus). Sample i of --num-samples uses \
            seed + i, so each sample can be reproduced alone. --stop ends a sample at a string (not printed); \
            \\n, \\t and \\\\ in it stand for newline, tab and backslash. --beams N instead returns the most likely \
            continuation found by beam search (transformers' num_beams with --length-penalty; --beams 1 is greedy), within \
            one block; the sampling options do not apply to it.
            """)

        @Argument(help: "A checkpoint directory (step-NNNNNNN) or a run directory (its newest valid checkpoint).", completion: .directory)
        var checkpoint: String

        @Option(help: "A LoRA adapter (a checkpoint of a fine-tune with finetune.lora_r > 0, or a PEFT adapter directory) to apply onto the checkpoint; refused if it was trained on other weights.", completion: .directory)
        var adapter: String?

        @Flag(help: "Print the prompt's tokens and the next-token logits after each as one JSON object instead of sampling (to compare with another implementation).")
        var logits = false

        @Option(help: "Text to continue; empty starts a new document.")
        var prompt = ""

        @Option(help: "A UTF-8 file whose whole content is the prompt (long or few-shot prompts); the model sees its last block_size tokens.",
                completion: .file())
        var promptFile: String?

        @Option(help: "An instruction: the prompt becomes the fine-tuning template with it (README, \"Fine-tuning\").")
        var instruction: String?

        @Option(help: "The input that goes with --instruction (optional).")
        var input = ""

        // Numbers take the next argument even when it starts with "-": `--temperature -1` then gets
        // the value check's message instead of ArgumentParser's "Missing value".
        @Option(parsing: .unconditional, help: "Tokens to generate at most, per sample.")
        var maxTokens = 200

        @Option(parsing: .unconditional, help: "Sampling temperature; 0 always takes the most likely token.")
        var temperature = 0.8

        @Option(parsing: .unconditional, help: "Sample only among the k most likely tokens; 0 for all.")
        var topK = 40

        @Option(parsing: .unconditional, help: "Nucleus sampling: only the most likely tokens whose probabilities add up to p; 1 for all.")
        var topP = 1.0

        @Option(help: "Stop a sample where this string appears (repeatable); it is not printed.")
        var stop: [String] = []

        @Option(parsing: .unconditional, help: "How many samples to generate from the prompt.")
        var numSamples = 1

        @Flag(inversion: .prefixedNo, help: "Print the prompt before each sample.")
        var echo = true

        @Option(parsing: .unconditional, help: "Random seed of the sampler (sample i uses seed + i).")
        var seed: UInt64 = 1337

        @Option(parsing: .unconditional, help: "Beam search with N beams instead of sampling: the highest-scoring continuation (1 is greedy).")
        var beams: Int?

        @Option(parsing: .unconditional, help: "With --beams: scores are divided by length^p (transformers' length_penalty; > 0 favours longer text).")
        var lengthPenalty = 1.0

        func validate() throws {
            guard maxTokens >= 0 else { throw ValidationError("--max-tokens must be 0 or more") }
            guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be 0 or a positive number") }
            guard topK >= 0 else { throw ValidationError("--top-k must be 0 (all tokens) or more") }
            guard topP > 0, topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]; 1 keeps every token") }
            guard numSamples >= 1 else { throw ValidationError("--num-samples must be 1 or more") }
            guard [instruction != nil, !prompt.isEmpty, promptFile != nil].filter({ $0 }).count <= 1 else {
                throw ValidationError("--prompt, --prompt-file and --instruction exclude each other")
            }
            guard instruction != nil || input.isEmpty else { throw ValidationError("--input needs --instruction") }
            if let beams {
                guard beams >= 1 else { throw ValidationError("--beams must be 1 or more") }
                guard numSamples == 1 else { throw ValidationError("--beams gives one sequence, the most likely; leave out --num-samples") }
                guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be 1 or more with --beams") }
            }
            guard lengthPenalty.isFinite else { throw ValidationError("--length-penalty must be a finite number") }
        }

        func run() throws {
            let text = try promptText()
            Launch.run { comm in
                guard comm.isRoot else { return }  // generation is sequential: one rank does it
                RunSetup.configureThreads()
                let warn: (String) -> Void = { Log.warning($0) }
                let sampler = try TextSampler(checkpoint: checkpoint, adapter: adapter, warn: warn)
                let prompt = sampler.tokens(of: text)
                if logits {
                    let object: [String: Any] = ["input_ids": prompt.map(Int.init), "logits": sampler.logits(prompt: prompt).map { $0.map(Double.init) }]
                    return print(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
                }
                let block = sampler.blockSize
                // Beam search generates inside one block, so its prompt keeps room for the generation.
                let seen = beams == nil ? block : max(1, block + 1 - maxTokens)
                if prompt.count > seen { warn("the prompt has \(prompt.count) tokens; the model sees only its last \(seen) (block_size \(block))") }
                let stops = stop.map(Self.unescaped)
                if let beams {
                    let bytes = try sampler.beamSearch(prompt: prompt, beams: beams, lengthPenalty: lengthPenalty, maxTokens: maxTokens, stops: stops)
                    FileHandle.standardOutput.write(Data((echo ? text : "").utf8) + Data(bytes) + Data("\n".utf8))
                    return
                }
                for i in 0..<numSamples {
                    if i > 0 { FileHandle.standardOutput.write(Data("---------------\n".utf8)) }
                    let settings = TextGenerator.Settings(maxTokens: maxTokens, temperature: temperature, topK: topK, topP: topP,
                                                          seed: seed &+ UInt64(i))
                    Self.stream(sampler: sampler, prompt: prompt, echo: echo ? text : "", stops: stops, settings: settings)
                }
            }
        }

        /// The prompt from --prompt, --prompt-file or --instruction.
        private func promptText() throws -> String {
            if let instruction { return TextSampler.instructionPrompt(instruction: instruction, input: input) }
            guard let promptFile else { return prompt }
            guard let data = FileManager.default.contents(atPath: promptFile) else {
                Launch.failBeforeMPI("--prompt-file \(promptFile): cannot read the file; check the path")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                Launch.failBeforeMPI("--prompt-file \(promptFile): the file is not UTF-8 text")
            }
            return text
        }

        /// Generates one sample and prints it as it comes: whole UTF-8 characters only, nothing from a stop string on.
        static func stream(sampler: TextSampler, prompt: [Int32], echo: String, stops: [String], settings: TextGenerator.Settings) {
            let out = FileHandle.standardOutput
            out.write(Data(echo.utf8))
            var pending: [UInt8] = []
            func show(_ bytes: [UInt8]) {
                // Tokens can end inside a UTF-8 character: print only whole characters.
                pending += bytes
                let complete = completeUTF8Prefix(pending)
                out.write(Data(pending[..<complete]))
                pending.removeFirst(complete)
            }
            sampler.generate(prompt: prompt, settings: settings, stops: stops, emit: show)
            out.write(Data(pending))
            out.write(Data("\n".utf8))
        }

        /// `text` with \n, \t and \\ replaced by newline, tab and backslash.
        static func unescaped(_ text: String) -> String {
            var out = ""
            var escape = false
            for c in text {
                if escape {
                    switch c {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "\\": out.append("\\")
                    default: out.append("\\"); out.append(c)
                    }
                    escape = false
                } else if c == "\\" {
                    escape = true
                } else {
                    out.append(c)
                }
            }
            if escape { out.append("\\") }
            return out
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
