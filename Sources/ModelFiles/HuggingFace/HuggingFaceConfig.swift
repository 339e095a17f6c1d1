import Foundation
import GPT
import RunConfig

/// A `config.json` as Hugging Face transformers reads and writes it (GPT2Config, or LlamaConfig /
/// Qwen3Config through `GPTConfig(huggingFaceLlama:)`), reduced to what decides whether our model
/// computes the same function: sizes, activation, norm epsilon, attention and the head's tying.
public struct HuggingFaceConfig: Equatable, Sendable {
    /// The model's dimensions (block size = n_positions).
    public var model: GPTConfig

    /// What `init_from` accepts, for the one-line errors.
    public static let supported = "init_from takes a checkpoint of this trainer or a Hugging Face directory holding config.json, model.safetensors and vocab.json + merges.txt or a byte-level BPE tokenizer.json, of a GPT-2 (model_type gpt2, gelu_new, tied embeddings) or a Llama/Qwen3 (model_type llama or qwen3, silu, no grouped-query attention, biases or rope scaling), vocab_size up to 65536"

    /// Reads and checks `config.json` at `url`; any setting our model does not implement is an error.
    public init(url: URL) throws {
        let path = url.path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainingError("\(path): cannot read the file; \(Self.supported)")
        }
        guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TrainingError("\(path): not a JSON object; \(Self.supported)")
        }
        func fail(_ what: String) -> TrainingError { TrainingError("\(path): \(what); \(Self.supported)") }
        let type = json["model_type"] as? String ?? "(none)"
        if type == "llama" || type == "qwen3" {
            do { model = try GPTConfig(huggingFaceLlama: json) } catch { throw fail("\"\(error.field)\" \(error.message)") }
            guard model.vocabSize <= 65536 else { throw fail("vocab_size \(model.vocabSize) is more than 65536 (token shards hold uint16 ids)") }
            guard model.normEps > 0, model.ropeTheta > 0 else { throw fail("rms_norm_eps and rope_theta must be positive") }
            return
        }
        guard type == "gpt2" else { throw fail("model_type \"\(type)\" is not supported") }
        func int(_ key: String) throws -> Int {
            guard let n = json[key] as? Int, n > 0 else { throw fail("\"\(key)\" must be a positive integer") }
            return n
        }
        let (layers, heads, width, positions, vocab) = (try int("n_layer"), try int("n_head"), try int("n_embd"), try int("n_positions"), try int("vocab_size"))
        guard width % heads == 0 else { throw fail("n_embd \(width) is not a multiple of n_head \(heads)") }
        guard vocab <= 65536 else { throw fail("vocab_size \(vocab) is more than 65536 (token shards hold uint16 ids)") }
        let activation = json["activation_function"] as? String ?? "gelu_new"
        guard ["gelu_new", "gelu_pytorch_tanh"].contains(activation) else {
            throw fail("activation_function \"\(activation)\" is not supported (only GPT-2's tanh GELU: gelu_new)")
        }
        guard json["tie_word_embeddings"] as? Bool ?? true else {
            throw fail("tie_word_embeddings is false: an untied lm_head is not supported")
        }
        if let inner = json["n_inner"] as? Int, inner != 4 * width { throw fail("n_inner \(inner) is not 4 × n_embd") }
        let epsilon = json["layer_norm_epsilon"] as? Double ?? 1e-5
        guard abs(epsilon - 1e-5) <= 1e-9 else { throw fail("layer_norm_epsilon \(epsilon) is not 1e-5") }
        for (key, expected) in [("scale_attn_weights", true), ("scale_attn_by_inverse_layer_idx", false), ("add_cross_attention", false)] {
            guard (json[key] as? Bool ?? expected) == expected else { throw fail("\(key) \(!expected) is not supported") }
        }
        model = GPTConfig(nLayer: layers, nHead: heads, nEmbd: width, blockSize: positions, vocabSize: vocab)
    }

    /// config.json for `model` with the <|endoftext|> id `endOfText`: GPT2Config, or for the Llama
    /// family LlamaConfig / Qwen3Config (`huggingFaceLlamaConfig`); with `labels`, the family's
    /// ForSequenceClassification whose padding id is `padding`.
    public static func json(model: GPTConfig, endOfText: Int, labels: [String]? = nil, padding: Int? = nil) -> [String: Any] {
        if var llama: [String: Any] = model.huggingFaceLlamaConfig(endOfText: endOfText) {
            if let labels {
                llama["architectures"] = [model.qkNorm ? "Qwen3ForSequenceClassification" : "LlamaForSequenceClassification"]
                addLabels(labels, padding: padding ?? endOfText, to: &llama)
            }
            return llama
        }
        var json: [String: Any] = [
            "model_type": "gpt2", "architectures": [labels == nil ? "GPT2LMHeadModel" : "GPT2ForSequenceClassification"],
            "n_layer": model.nLayer, "n_head": model.nHead, "n_embd": model.nEmbd, "n_inner": NSNull(),
            "n_positions": model.blockSize, "n_ctx": model.blockSize, "vocab_size": model.vocabSize,
            "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5, "initializer_range": 0.02,
            // Trained without dropout; transformers would otherwise default to 0.1 when fine-tuning.
            "attn_pdrop": 0.0, "embd_pdrop": 0.0, "resid_pdrop": 0.0, "summary_first_dropout": 0.0,
            "scale_attn_weights": true, "scale_attn_by_inverse_layer_idx": false, "reorder_and_upcast_attn": false, "add_cross_attention": false,
            "tie_word_embeddings": true, "use_cache": true, "dtype": "float32",
            "bos_token_id": endOfText, "eos_token_id": endOfText,
        ]
        if let labels { addLabels(labels, padding: padding ?? endOfText, to: &json) }
        return json
    }

    /// A classifier's label names and padding id, as transformers' sequence classifiers read them.
    static func addLabels(_ labels: [String], padding: Int, to json: inout [String: Any]) {
        json["id2label"] = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ("\($0)", $1) })
        json["label2id"] = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        json["problem_type"] = "single_label_classification"
        json["pad_token_id"] = padding
    }
}
