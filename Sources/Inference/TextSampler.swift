import Data
import Foundation
import ModelFiles

/// `trainer sample`: a checkpoint's model and tokenizer, turning prompts into samples.
public final class TextSampler {
    let loaded: LoadedCheckpoint
    private let generator: TextGenerator

    /// Opens `checkpoint` (a step or run directory) for generation, one sequence at a time.
    /// With `adapter`, a LoRA adapter trained on it is merged in first.
    public init(checkpoint: String, adapter: String? = nil, warn: (String) -> Void) throws {
        loaded = try LoadedCheckpoint(path: checkpoint, batch: 1, warn: warn, adapter: adapter)
        generator = TextGenerator(model: loaded.model, endOfText: loaded.tokenizer.endOfText)
    }

    /// The model's context length; a longer prompt is seen only by its last tokens.
    public var blockSize: Int { loaded.model.config.blockSize }

    /// The prompt's tokens (special tokens such as <|endoftext|> allowed); <|endoftext|> alone
    /// for an empty prompt, which starts a new document.
    public func tokens(of text: String) -> [Int32] {
        text.isEmpty ? [loaded.tokenizer.endOfText] : loaded.tokenizer.encode(text, allowSpecial: true)
    }

    /// The fine-tuning template's prompt for an instruction (README, "Fine-tuning").
    public static func instructionPrompt(instruction: String, input: String) -> String {
        InstructionTemplate.prompt(instruction: instruction, input: input)
    }

    /// Generates one sample after `prompt`, passing the bytes of its text to `emit` as they come;
    /// nothing from the first of `stops` on is emitted, and generation ends there.
    public func generate(prompt: [Int32], settings: TextGenerator.Settings, stops: [String], emit: ([UInt8]) -> Void) {
        var filter = StopStrings(stops)
        generator.generate(prompt: prompt, settings: settings) { token in
            emit(filter.push(loaded.tokenizer.bytes(ofToken: token)))
            return !filter.stopped
        }
        emit(filter.finish())
    }

    /// The next-token logits after each of `prompt`'s tokens (one forward pass, no sampling),
    /// for comparing the model with another implementation.
    public func logits(prompt: [Int32]) -> [[Float]] {
        let T = min(prompt.count, blockSize)
        let tokens = Array(prompt.suffix(T))
        tokens.withUnsafeBufferPointer { _ = loaded.model.forward(inputs: $0, targets: nil, batch: 1, sequence: T) }
        return (0..<T).map { Array(loaded.model.logits(batch: 0, position: $0)) }
    }
}
