import Foundation

/// A GPT-2 byte-level BPE tokenizer as llama.cpp's `gpt2` tokenizer model takes it: token
/// spellings in id order (vocab.json's byte-encoded strings) and merges ("a b", merges.txt's lines).
public struct GGUFVocabulary: Equatable, Sendable {
    /// The special token every tokenizer of ours has; it is bos, eos and unk.
    public static let endOfText = "<|endoftext|>"

    /// Token spellings, index = id.
    public let tokens: [String]
    /// Merges in rank order, each "left right".
    public let merges: [String]
    /// The id of `<|endoftext|>`.
    public let endOfTextID: Int

    /// A vocabulary from spellings in id order and merges; `<|endoftext|>` must be among the tokens.
    public init(tokens: [String], merges: [String]) throws {
        guard let eot = tokens.firstIndex(of: Self.endOfText) else {
            throw GGUFError("the vocabulary has no \(Self.endOfText) token; llama.cpp needs it as bos/eos; retrain the tokenizer with `trainer prepare CONFIG`")
        }
        self.tokens = tokens
        self.merges = merges
        endOfTextID = eot
    }

    /// Reads vocab.json and merges.txt from `directory` (a checkpoint or Hugging Face directory).
    public static func read(from directory: URL) throws -> GGUFVocabulary {
        let vocabURL = directory.appendingPathComponent("vocab.json")
        let mergesURL = directory.appendingPathComponent("merges.txt")
        guard let vocabData = FileManager.default.contents(atPath: vocabURL.path),
              let mergesData = FileManager.default.contents(atPath: mergesURL.path),
              let mergesText = String(data: mergesData, encoding: .utf8) else {
            throw GGUFError("cannot read \(vocabURL.path) and \(mergesURL.path) (UTF-8); the directory must hold the tokenizer the model was trained with")
        }
        guard let vocab = try? JSONDecoder().decode([String: Int].self, from: vocabData) else {
            throw GGUFError("\(vocabURL.path) is not a JSON object of token -> id; restore the checkpoint's vocab.json")
        }
        var tokens = [String?](repeating: nil, count: vocab.count)
        for (spelling, id) in vocab {
            guard id >= 0, id < vocab.count, tokens[id] == nil else {
                throw GGUFError("\(vocabURL.path): token \(spelling.debugDescription) has id \(id); ids must be 0..<\(vocab.count), each once; restore the checkpoint's vocab.json")
            }
            tokens[id] = spelling
        }
        let merges = mergesText.split(separator: "\n").enumerated()
            .filter { !($0.offset == 0 && $0.element.hasPrefix("#version")) }
            .map { String($0.element) }
        return try GGUFVocabulary(tokens: tokens.compactMap { $0 }, merges: merges)
    }

    /// The tokenizer.ggml.* key/values convert_hf_to_gguf.py writes for a GPT-2 BPE: model gpt2,
    /// pre-tokenizer gpt-2 (GPT-2's regex, which ours is), `<|endoftext|>` a control token (3),
    /// every other token normal (1), and bos = eos = unk = `<|endoftext|>`. No add_bos_token key:
    /// llama.cpp's default for gpt-2 is not to add one, as our trainer does not.
    func add(to file: inout GGUFFile) {
        let eot = GGUFValue.uint32(UInt32(endOfTextID))
        file.add("tokenizer.ggml.model", .string("gpt2"))
        file.add("tokenizer.ggml.pre", .string("gpt-2"))
        file.add("tokenizer.ggml.tokens", .stringArray(tokens))
        file.add("tokenizer.ggml.token_type", .int32Array(tokens.map { $0 == Self.endOfText ? 3 : 1 }))
        file.add("tokenizer.ggml.merges", .stringArray(merges))
        file.add("tokenizer.ggml.bos_token_id", eot)
        file.add("tokenizer.ggml.eos_token_id", eot)
        file.add("tokenizer.ggml.unknown_token_id", eot)
    }
}
