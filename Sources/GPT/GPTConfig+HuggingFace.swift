// The Llama family as Hugging Face transformers' config.json spells it, for exporters: with these
// keys and the tensor names of ParameterLayout (already transformers'), a checkpoint directory
// loads in LlamaForCausalLM (or Qwen3ForCausalLM with qk_norm) as it is.

extension GPTConfig {
    /// `model_type`: "qwen3" when q and k are normalized (only Qwen3 has q_norm/k_norm), else "llama".
    public var huggingFaceModelType: String { qkNorm ? "qwen3" : "llama" }

    /// The config.json keys transformers needs for this Llama-family model, with the special-token
    /// id `endOfText` as bos and eos; nil for GPT-2 (Training writes its GPT2Config).
    public func huggingFaceLlamaConfig(endOfText: Int) -> [String: any Sendable]? {
        guard family == .llama else { return nil }
        return [
            "model_type": huggingFaceModelType,
            "architectures": [qkNorm ? "Qwen3ForCausalLM" : "LlamaForCausalLM"],
            "hidden_size": nEmbd, "intermediate_size": resolvedIntermediateSize, "num_hidden_layers": nLayer,
            "num_attention_heads": nHead, "num_key_value_heads": nHead, "head_dim": headSize,
            "rms_norm_eps": normEps, "rope_theta": ropeTheta,
            "rope_parameters": ["rope_type": "default", "rope_theta": ropeTheta] as [String: any Sendable],
            "max_position_embeddings": blockSize, "vocab_size": vocabSize, "tie_word_embeddings": tiedHead,
            "attention_bias": false, "mlp_bias": false, "attention_dropout": 0.0, "hidden_act": "silu",
            "initializer_range": 0.02, "use_cache": true, "torch_dtype": "float32", "dtype": "float32",
            "bos_token_id": endOfText, "eos_token_id": endOfText,
        ]
    }

    /// The Llama-family config that a transformers config.json describes (its parsed JSON object),
    /// or the first key we cannot build a model for (a missing tie_word_embeddings is false, as in
    /// transformers 5's LlamaConfig and Qwen3Config). Accepts model_type llama and qwen3 without
    /// grouped-query attention, biases or rope scaling, and hidden_act silu.
    public init(huggingFaceLlama json: [String: Any]) throws(GPTConfigProblem) {
        func fail(_ key: String, _ message: String) -> GPTConfigProblem { GPTConfigProblem(field: key, message: message) }
        let type = json["model_type"] as? String ?? "(none)"
        guard type == "llama" || type == "qwen3" else { throw fail("model_type", "\"\(type)\" is not llama or qwen3") }
        func int(_ key: String) throws(GPTConfigProblem) -> Int {
            guard let n = json[key] as? Int, n > 0 else { throw fail(key, "must be a positive integer") }
            return n
        }
        let (C, NH, L) = (try int("hidden_size"), try int("num_attention_heads"), try int("num_hidden_layers"))
        if let kv = json["num_key_value_heads"] as? Int, kv != NH {
            throw fail("num_key_value_heads", "\(kv) differs from num_attention_heads \(NH): grouped-query attention is not supported")
        }
        if let hd = json["head_dim"] as? Int, hd * NH != C {
            throw fail("head_dim", "\(hd) × \(NH) heads is not hidden_size \(C)")
        }
        for key in ["attention_bias", "mlp_bias"] where json[key] as? Bool == true { throw fail(key, "biases are not supported") }
        let act = json["hidden_act"] as? String ?? "silu"
        guard act == "silu" else { throw fail("hidden_act", "\"\(act)\" is not silu") }
        let rope = json["rope_parameters"] as? [String: Any] ?? json["rope_scaling"] as? [String: Any] ?? [:]
        if let kind = rope["rope_type"] as? String ?? rope["type"] as? String, kind != "default" {
            throw fail("rope_parameters", "rope_type \"\(kind)\" is not supported (only default)")
        }
        let theta = rope["rope_theta"] as? Double ?? json["rope_theta"] as? Double ?? 10_000
        self.init(nLayer: L, nHead: NH, nEmbd: C, blockSize: try int("max_position_embeddings"), vocabSize: try int("vocab_size"),
                  family: .llama, intermediateSize: try int("intermediate_size"),
                  tiedHead: json["tie_word_embeddings"] as? Bool ?? false, qkNorm: type == "qwen3",
                  ropeTheta: theta, normEps: json["rms_norm_eps"] as? Double ?? 1e-6)
    }
}
