/// The sizes of a Llama model, as its Hugging Face config.json gives them.
public struct LlamaShape: Sendable, Equatable {
    public var nLayer: Int, nHead: Int, nKVHead: Int, nEmbd: Int, nFF: Int, contextLength: Int, vocabSize: Int
    /// RMSNorm epsilon (`rms_norm_eps`).
    public var rmsNormEpsilon: Float
    /// RoPE base frequency (`rope_theta`).
    public var ropeFreqBase: Float
    /// Whether the output head is tied to the token embedding (then no `lm_head.weight` is read or written).
    public var tiedEmbeddings: Bool

    /// A shape from the model's sizes.
    public init(nLayer: Int, nHead: Int, nKVHead: Int, nEmbd: Int, nFF: Int, contextLength: Int, vocabSize: Int,
                rmsNormEpsilon: Float, ropeFreqBase: Float, tiedEmbeddings: Bool) {
        (self.nLayer, self.nHead, self.nKVHead, self.nEmbd, self.nFF) = (nLayer, nHead, nKVHead, nEmbd, nFF)
        (self.contextLength, self.vocabSize, self.rmsNormEpsilon) = (contextLength, vocabSize, rmsNormEpsilon)
        (self.ropeFreqBase, self.tiedEmbeddings) = (ropeFreqBase, tiedEmbeddings)
    }

    /// Elements per attention head.
    public var headDim: Int { nEmbd / nHead }
}

/// Llama (Hugging Face LlamaForCausalLM names) to llama.cpp's `llama` architecture, as
/// convert_hf_to_gguf.py's LlamaModel converts it: q_proj and k_proj rows permuted from HF's
/// rotate-half order to llama.cpp's interleaved rotary pairs; linear weights kept (out, in).
public enum LlamaExport {
    /// The GGUF file for Llama weights `weights` of `shape`, tokenizer `vocabulary`, tensors in `type`.
    public static func file(name: String, shape: LlamaShape, weights: TensorSource, vocabulary: GGUFVocabulary,
                            type: GGUFTensorType) throws -> GGUFFile {
        guard vocabulary.tokens.count == shape.vocabSize else {
            throw GGUFError("the tokenizer has \(vocabulary.tokens.count) tokens but the model \(shape.vocabSize); the checkpoint is inconsistent")
        }
        guard shape.nEmbd % shape.nHead == 0, shape.headDim % 2 == 0, shape.nHead % shape.nKVHead == 0 else {
            throw GGUFError("n_embd \(shape.nEmbd), \(shape.nHead) heads, \(shape.nKVHead) KV heads: llama.cpp needs an even head size and heads a multiple of KV heads")
        }
        let expected = expectedShapes(shape)
        var file = ModelExport.start(architecture: "llama", name: name, parameterCount: expected.values.reduce(0) { $0 + $1.reduce(1, *) })
        let arch = "llama."
        for (key, value) in [("block_count", shape.nLayer), ("context_length", shape.contextLength), ("embedding_length", shape.nEmbd),
                             ("feed_forward_length", shape.nFF), ("attention.head_count", shape.nHead), ("attention.head_count_kv", shape.nKVHead)] {
            file.add(arch + key, .uint32(UInt32(value)))
        }
        file.add(arch + "rope.freq_base", .float32(shape.ropeFreqBase))
        file.add(arch + "attention.layer_norm_rms_epsilon", .float32(shape.rmsNormEpsilon))
        file.add(arch + "attention.key_length", .uint32(UInt32(shape.headDim)))
        file.add(arch + "attention.value_length", .uint32(UInt32(shape.headDim)))
        file.add("general.file_type", .uint32(type.fileType))
        file.add(arch + "vocab_size", .uint32(UInt32(shape.vocabSize)))
        file.add(arch + "rope.dimension_count", .uint32(UInt32(shape.headDim)))
        ModelExport.finish(&file, vocabulary: vocabulary)
        try ModelExport.addTensors(mapping(shape), expected: expected, from: weights, type: type, to: &file)
        return file
    }

    /// Hugging Face name → llama.cpp name, in the model's order.
    static func mapping(_ shape: LlamaShape) -> [MappedTensor] {
        var out = [MappedTensor(source: "model.embed_tokens.weight", target: "token_embd.weight", transform: .none)]
        let parts: [(String, String, MappedTensor.Transform)] = [
            ("input_layernorm", "attn_norm", .none), ("self_attn.q_proj", "attn_q", .ropePermute(heads: shape.nHead)),
            ("self_attn.k_proj", "attn_k", .ropePermute(heads: shape.nKVHead)), ("self_attn.v_proj", "attn_v", .none),
            ("self_attn.o_proj", "attn_output", .none), ("post_attention_layernorm", "ffn_norm", .none),
            ("mlp.gate_proj", "ffn_gate", .none), ("mlp.up_proj", "ffn_up", .none), ("mlp.down_proj", "ffn_down", .none)]
        for l in 0..<shape.nLayer {
            for (hf, ours, transform) in parts {
                out.append(MappedTensor(source: "model.layers.\(l).\(hf).weight", target: "blk.\(l).\(ours).weight", transform: transform))
            }
        }
        out.append(MappedTensor(source: "model.norm.weight", target: "output_norm.weight", transform: .none))
        if !shape.tiedEmbeddings { out.append(MappedTensor(source: "lm_head.weight", target: "output.weight", transform: .none)) }
        return out
    }

    /// Every source tensor's shape, nn.Linear's (out, in).
    static func expectedShapes(_ s: LlamaShape) -> [String: [Int]] {
        let C = s.nEmbd, kv = s.nKVHead * s.headDim
        var shapes = ["model.embed_tokens.weight": [s.vocabSize, C], "model.norm.weight": [C]]
        if !s.tiedEmbeddings { shapes["lm_head.weight"] = [s.vocabSize, C] }
        for l in 0..<s.nLayer {
            let p = "model.layers.\(l)."
            for (name, shape) in [("input_layernorm", [C]), ("self_attn.q_proj", [C, C]), ("self_attn.k_proj", [kv, C]),
                                  ("self_attn.v_proj", [kv, C]), ("self_attn.o_proj", [C, C]), ("post_attention_layernorm", [C]),
                                  ("mlp.gate_proj", [s.nFF, C]), ("mlp.up_proj", [s.nFF, C]), ("mlp.down_proj", [C, s.nFF])] {
                shapes[p + name + ".weight"] = shape
            }
        }
        return shapes
    }

    /// A q_proj/k_proj weight of `shape` (rows = heads · head size) with each head's rows moved from
    /// HF's rotate-half order to llama.cpp's interleaved pairs: row h·hd + i·hd/2 + j goes to h·hd + 2j + i.
    public static func ropePermuted(_ values: [Float], shape: [Int], heads: Int) -> [Float] {
        let cols = values.count / shape[0], headDim = shape[0] / heads, half = headDim / 2
        var out = [Float](repeating: 0, count: values.count)
        for h in 0..<heads { for i in 0..<2 { for j in 0..<half {
            let from = (h * headDim + i * half + j) * cols, to = (h * headDim + 2 * j + i) * cols
            for c in 0..<cols { out[to + c] = values[from + c] }
        } } }
        return out
    }
}
