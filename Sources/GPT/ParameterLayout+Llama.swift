/// Offsets of one Llama block's tensors relative to the start of that block's range.
///
/// q_proj, k_proj and v_proj are stored one after another, (C, C) each in nn.Linear's (out, in)
/// layout, so together they are the (3C, C) matrix whose product with the input gives the packed
/// (B, T, 3C) q, k, v rows that attention reads, in one sgemm; gate_proj and up_proj likewise
/// form one (2I, C) matrix. Each is still its own named tensor, as transformers spells it.
struct LlamaLayerOffsets: Sendable, Equatable {
    var inputNorm = 0, qkvWeight = 0, qNorm = 0, kNorm = 0, oProj = 0
    var postNorm = 0, gateUpWeight = 0, downProj = 0
}

extension ParameterLayout {
    /// Llama's tensors with the names of transformers' LlamaForCausalLM / Qwen3ForCausalLM
    /// state_dict; q_norm and k_norm (HS each) only with qk_norm; lm_head only when untied.
    static func llama(_ config: GPTConfig, into list: inout TensorList) -> LayoutOffsets {
        let C = config.nEmbd, V = config.vocabSize, L = config.nLayer
        let I = config.resolvedIntermediateSize, HS = config.headSize
        var o = LayoutOffsets()
        o.wte = list.add("model.embed_tokens.weight", [V, C], .embedding)
        o.wpe = o.wte
        o.layers = list.offset
        o.layerStride = TensorList.addLayers(L, into: &list) { l, list in
            let base = list.offset, p = "model.layers.\(l)."
            func gain(_ name: String, _ n: Int) -> Int { list.add(p + name, [n], .gain) - base }
            func linear(_ name: String, out: Int, in inputs: Int) -> Int {
                list.add(p + name, [out, inputs], .matrix, .outputsByInputs) - base
            }
            o.llama.inputNorm = gain("input_layernorm.weight", C)
            o.llama.qkvWeight = linear("self_attn.q_proj.weight", out: C, in: C)
            _ = linear("self_attn.k_proj.weight", out: C, in: C)
            _ = linear("self_attn.v_proj.weight", out: C, in: C)
            if config.qkNorm {
                o.llama.qNorm = gain("self_attn.q_norm.weight", HS)
                o.llama.kNorm = gain("self_attn.k_norm.weight", HS)
            }
            o.llama.oProj = linear("self_attn.o_proj.weight", out: C, in: C)
            o.llama.postNorm = gain("post_attention_layernorm.weight", C)
            o.llama.gateUpWeight = linear("mlp.gate_proj.weight", out: I, in: C)
            _ = linear("mlp.up_proj.weight", out: I, in: C)
            o.llama.downProj = linear("mlp.down_proj.weight", out: C, in: I)
        }
        o.lnfWeight = list.add("model.norm.weight", [C], .gain)
        o.lnfBias = o.lnfWeight
        o.head = config.tiedHead ? o.wte : list.add("lm_head.weight", [V, C], .head, .outputsByInputs)
        return o
    }
}
