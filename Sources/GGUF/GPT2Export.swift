/// The sizes of a GPT-2 model, as config.json / our GPTConfig give them.
public struct GPT2Shape: Sendable, Equatable {
    public var nLayer: Int, nHead: Int, nEmbd: Int, contextLength: Int, vocabSize: Int
    /// LayerNorm epsilon; GPT-2's (and our kernels') is 1e-5.
    public var layerNormEpsilon: Float = 1e-5

    /// A shape from the model's sizes.
    public init(nLayer: Int, nHead: Int, nEmbd: Int, contextLength: Int, vocabSize: Int, layerNormEpsilon: Float = 1e-5) {
        (self.nLayer, self.nHead, self.nEmbd, self.contextLength, self.vocabSize) = (nLayer, nHead, nEmbd, contextLength, vocabSize)
        self.layerNormEpsilon = layerNormEpsilon
    }
}

/// GPT-2 (Hugging Face names, Conv1D layout) to llama.cpp's `gpt2` architecture, as
/// convert_hf_to_gguf.py's GPT2Model converts it: c_attn, c_proj and c_fc weights transposed to
/// (out, in); no output.weight (llama.cpp ties the head to token_embd when it is absent).
public enum GPT2Export {
    /// The GGUF file for GPT-2 weights `weights` of `shape`, tokenizer `vocabulary`, tensors in `type`.
    public static func file(name: String, shape: GPT2Shape, weights: TensorSource, vocabulary: GGUFVocabulary,
                            type: GGUFTensorType) throws -> GGUFFile {
        guard vocabulary.tokens.count == shape.vocabSize else {
            throw GGUFError("the tokenizer has \(vocabulary.tokens.count) tokens but the model \(shape.vocabSize); the checkpoint is inconsistent")
        }
        let expected = expectedShapes(shape)
        var file = ModelExport.start(architecture: "gpt2", name: name, parameterCount: expected.values.reduce(0) { $0 + $1.reduce(1, *) })
        let arch = "gpt2."
        file.add(arch + "block_count", .uint32(UInt32(shape.nLayer)))
        file.add(arch + "context_length", .uint32(UInt32(shape.contextLength)))
        file.add(arch + "embedding_length", .uint32(UInt32(shape.nEmbd)))
        file.add(arch + "feed_forward_length", .uint32(UInt32(4 * shape.nEmbd)))
        file.add(arch + "attention.head_count", .uint32(UInt32(shape.nHead)))
        file.add(arch + "attention.layer_norm_epsilon", .float32(shape.layerNormEpsilon))
        file.add("general.file_type", .uint32(type.fileType))
        ModelExport.finish(&file, vocabulary: vocabulary)
        try ModelExport.addTensors(mapping(shape), expected: expected, from: weights, type: type, to: &file)
        return file
    }

    /// Hugging Face name → llama.cpp name, in our parameter order (wte, wpe, blocks, ln_f).
    static func mapping(_ shape: GPT2Shape) -> [MappedTensor] {
        var out = [MappedTensor(source: "wte.weight", target: "token_embd.weight", transform: .none),
                   MappedTensor(source: "wpe.weight", target: "position_embd.weight", transform: .none, keepF32: true)]
        let parts = [("ln_1", "attn_norm"), ("attn.c_attn", "attn_qkv"), ("attn.c_proj", "attn_output"),
                     ("ln_2", "ffn_norm"), ("mlp.c_fc", "ffn_up"), ("mlp.c_proj", "ffn_down")]
        for l in 0..<shape.nLayer {
            for (hf, ours) in parts {
                let linear = !hf.hasPrefix("ln")
                out.append(MappedTensor(source: "h.\(l).\(hf).weight", target: "blk.\(l).\(ours).weight", transform: linear ? .transpose : .none))
                out.append(MappedTensor(source: "h.\(l).\(hf).bias", target: "blk.\(l).\(ours).bias", transform: .none))
            }
        }
        out.append(MappedTensor(source: "ln_f.weight", target: "output_norm.weight", transform: .none))
        out.append(MappedTensor(source: "ln_f.bias", target: "output_norm.bias", transform: .none))
        return out
    }

    /// Every source tensor's shape in Hugging Face's layout (Conv1D weights (in, out)).
    public static func expectedShapes(_ s: GPT2Shape) -> [String: [Int]] {
        let C = s.nEmbd
        var shapes = ["wte.weight": [s.vocabSize, C], "wpe.weight": [s.contextLength, C], "ln_f.weight": [C], "ln_f.bias": [C]]
        for l in 0..<s.nLayer {
            let p = "h.\(l)."
            for (name, shape) in [("ln_1.weight", [C]), ("ln_1.bias", [C]), ("attn.c_attn.weight", [C, 3 * C]), ("attn.c_attn.bias", [3 * C]),
                                  ("attn.c_proj.weight", [C, C]), ("attn.c_proj.bias", [C]), ("ln_2.weight", [C]), ("ln_2.bias", [C]),
                                  ("mlp.c_fc.weight", [C, 4 * C]), ("mlp.c_fc.bias", [4 * C]), ("mlp.c_proj.weight", [4 * C, C]), ("mlp.c_proj.bias", [C])] {
                shapes[p + name] = shape
            }
        }
        return shapes
    }
}
