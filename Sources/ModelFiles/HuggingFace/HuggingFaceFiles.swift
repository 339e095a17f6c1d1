import Data
import Foundation
import GPT
import RunConfig

/// The files beside model.safetensors that make a checkpoint directory load as it is in Hugging
/// Face transformers (`AutoModelForCausalLM`/`AutoModelForSequenceClassification` and
/// `AutoTokenizer.from_pretrained(dir)`): config.json, generation_config.json,
/// tokenizer_config.json and special_tokens_map.json.
public enum HuggingFaceFiles {
    /// The model's configuration file.
    public static let configFile = "config.json"
    static let generationConfigFile = "generation_config.json"
    static let tokenizerConfigFile = "tokenizer_config.json"
    static let specialTokensFile = "special_tokens_map.json"

    /// The checkpoint writers for these files; `labels` for a classifier. The ids of the special
    /// tokens are read from `tokenizerDirectory`/vocab.json when the files are written.
    static func writers(model: GPTConfig, tokenizerDirectory: URL, labels: [String]?) -> [(name: String, write: (URL) throws -> Void)] {
        // Read once per checkpoint, when the first of these files is written (GPT-2's vocab.json is 800 KB).
        let tokens = Cached { try SpecialTokens(vocabulary: tokenizerDirectory.appendingPathComponent(BPETokenizer.vocabFileName)) }
        let vocab = { try tokens.value() }
        return [
            (configFile, { url in
                let t = try vocab()
                try write(HuggingFaceConfig.json(model: model, endOfText: t.endOfText, labels: labels, padding: labels == nil ? nil : t.padding), to: url)
            }),
            (generationConfigFile, { url in
                let t = try vocab()
                try write(["bos_token_id": t.endOfText, "eos_token_id": t.endOfText, "pad_token_id": labels == nil ? t.endOfText : t.padding], to: url)
            }),
            (tokenizerConfigFile, { url in try write(tokenizerConfig(try vocab(), blockSize: model.blockSize, classifier: labels != nil), to: url) }),
            (specialTokensFile, { url in try write(specialTokens(try vocab(), classifier: labels != nil), to: url) }),
        ]
    }

    /// The ids and spellings of the tokens the config files name.
    struct SpecialTokens {
        /// The id of <|endoftext|>.
        let endOfText: Int
        /// The classifier's padding token: the one for byte 0 (NUL), never <|endoftext|>, so that
        /// transformers' pooling (the last token that is not padding) lands on the closing
        /// <|endoftext|> as ours does.
        let padding: Int
        /// Its spelling in vocab.json.
        let paddingText: String

        init(vocabulary url: URL) throws {
            guard let data = FileManager.default.contents(atPath: url.path),
                  let vocab = try? JSONDecoder().decode([String: Int].self, from: data) else {
                throw TrainingError("\(url.path): cannot read the vocabulary to write the Hugging Face config files")
            }
            let nul = ByteEncoder.encode([0])
            guard let eos = vocab[BPETokenizer.endOfTextText], let pad = vocab[nul] else {
                throw TrainingError("\(url.path): no \(BPETokenizer.endOfTextText) or NUL-byte token; not a byte-level GPT-2 vocabulary")
            }
            endOfText = eos
            padding = pad
            paddingText = nul
        }
    }

    static func tokenizerConfig(_ t: SpecialTokens, blockSize: Int, classifier: Bool) -> [String: Any] {
        var json: [String: Any] = [
            "tokenizer_class": "GPT2Tokenizer", "model_max_length": blockSize, "add_prefix_space": false, "errors": "replace",
            "add_bos_token": false,
            "added_tokens_decoder": ["\(t.endOfText)": ["content": BPETokenizer.endOfTextText, "lstrip": false, "normalized": true,
                                                       "rstrip": false, "single_word": false, "special": true]],
        ]
        for (key, value) in specialTokens(t, classifier: classifier) { json[key] = value }
        if classifier {
            // As `trainer classify` reads a text: its tokens then <|endoftext|>, losing the beginning when too long.
            json["add_eos_token"] = true
            json["truncation_side"] = "left"
        }
        return json
    }

    static func specialTokens(_ t: SpecialTokens, classifier: Bool) -> [String: Any] {
        var json: [String: Any] = ["bos_token": BPETokenizer.endOfTextText, "eos_token": BPETokenizer.endOfTextText,
                                   "unk_token": BPETokenizer.endOfTextText]
        if classifier { json["pad_token"] = t.paddingText }
        return json
    }

    /// A value computed on first use, then kept.
    final class Cached<Value> {
        private let make: () throws -> Value
        private var stored: Value?
        init(_ make: @escaping () throws -> Value) { self.make = make }
        func value() throws -> Value {
            if let stored { return stored }
            let made = try make()
            stored = made
            return made
        }
    }

    static func write(_ object: [String: Any], to url: URL) throws {
        var data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        data.append(0x0A)
        try data.write(to: url)
    }
}
