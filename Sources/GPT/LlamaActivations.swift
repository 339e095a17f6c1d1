// The Llama family's activations in the one activation buffer, beside the shared tensors of
// ActivationLayout (encoded, lnf, lnfRstd, losses, the head's chunk and gradient, the scratch).

/// Float offsets of the Llama tensors: per-layer tensors are L consecutive slices.
struct LlamaActivationOffsets: Sendable, Equatable {
    var ln1 = 0, ln1Rstd = 0, qkvRaw = 0, qkRstd = 0, qkv = 0, atty = 0, att = 0, residual2 = 0
    var ln2 = 0, ln2Rstd = 0, gateUp = 0, hidden = 0, residual3 = 0
    /// Rotary tables (blockSize, HS/2) each, for every position the model or its cache can see.
    var ropeCos = 0, ropeSin = 0
    /// Backward scratch for the gradient of the SwiGLU output (B·T, I).
    var dHidden = 0
    /// SwiGLU width (I), and whether q and k are normalized (their pre-norm values and rstd kept).
    var I = 0, qkNorm = false
}

extension ActivationLayout {
    /// The Llama tensors from float `o` on. Per position and layer: C-wide ln1, atty, residual2,
    /// ln2, residual3, 3C-wide qkv (after qk-norm and rotary), 3C-wide qkvRaw (projections, only
    /// with qk_norm), 2I gate/up, I SwiGLU output, 2 rstd, and 2·NH q/k rstd with qk_norm.
    mutating func layOutLlama(_ config: GPTConfig, _ o: inout CheckedOffset) {
        let I = config.resolvedIntermediateSize, q = config.qkNorm ? 1 : 0
        llama.I = I
        llama.qkNorm = config.qkNorm
        encoded = o.take(btc)
        llama.ln1 = o.take(L, btc); llama.ln1Rstd = o.take(L, bt)
        llama.qkvRaw = o.take(L, 3, btc, q); llama.qkRstd = o.take(L, 2, NH, bt, q)
        llama.qkv = o.take(L, 3, btc); llama.atty = o.take(L, btc); llama.att = o.take(L, attCount)
        llama.residual2 = o.take(L, btc)
        llama.ln2 = o.take(L, btc); llama.ln2Rstd = o.take(L, bt)
        llama.gateUp = o.take(L, 2, I, bt); llama.hidden = o.take(L, I, bt); llama.residual3 = o.take(L, btc)
        lnf = o.take(btc); lnfRstd = o.take(bt)
        losses = o.take(bt)
        headChunk = Self.headChunkRows(rows: bt, vocab: V)
        headLogits = o.take(headChunk, V); dwteHead = o.take(V, C)
        llama.ropeCos = o.take(config.blockSize, config.headSize / 2); llama.ropeSin = o.take(config.blockSize, config.headSize / 2)
        dResidual = o.take(btc); dSmall = o.take(btc); llama.dHidden = o.take(I, bt)
        // The widest backward scratch row: 3C (q, k, v) or 2I (gate, up); I and C are below Int.max / 64.
        dWide = o.take(max(3 * C, 2 * I), bt); dAtt = o.take(attCount)
    }
}

/// Pointers to one Llama block's activations for the current pass.
struct LlamaLayerActivations {
    let ln1, ln1Rstd, qkvRaw, qRstd, kRstd, qkv, atty, att, residual2: UnsafeMutablePointer<Float>
    let ln2, ln2Rstd, gateUp, hidden, residual3: UnsafeMutablePointer<Float>

    init(base a: UnsafeMutablePointer<Float>, layout s: ActivationLayout, layer l: Int) {
        let o = s.llama, I = o.I, q = o.qkNorm ? 1 : 0
        ln1 = a + o.ln1 + l * s.btc
        ln1Rstd = a + o.ln1Rstd + l * s.bt
        qkvRaw = a + o.qkvRaw + l * 3 * s.btc * q
        qRstd = a + o.qkRstd + l * 2 * s.NH * s.bt * q
        kRstd = qRstd + s.NH * s.bt * q
        qkv = a + o.qkv + l * 3 * s.btc
        atty = a + o.atty + l * s.btc
        att = a + o.att + l * s.attCount
        residual2 = a + o.residual2 + l * s.btc
        ln2 = a + o.ln2 + l * s.btc
        ln2Rstd = a + o.ln2Rstd + l * s.bt
        gateUp = a + o.gateUp + l * 2 * I * s.bt
        hidden = a + o.hidden + l * I * s.bt
        residual3 = a + o.residual3 + l * s.btc
    }
}

/// Pointers to one Llama block's tensors in a buffer with the parameter layout (parameters or
/// gradients). qkvWeight is the (3C, C) stack of q_proj, k_proj, v_proj; gateUpWeight the
/// (2I, C) stack of gate_proj, up_proj; qNorm and kNorm are meaningful only with qk_norm.
struct LlamaLayerParameters {
    let inputNorm, qkvWeight, qNorm, kNorm, oProj, postNorm, gateUpWeight, downProj: UnsafeMutablePointer<Float>

    init(base: UnsafeMutablePointer<Float>, layout: ParameterLayout, layer l: Int) {
        let p = base + layout.layerRange(l).lowerBound, o = layout.offsets.llama
        inputNorm = p + o.inputNorm; qkvWeight = p + o.qkvWeight
        qNorm = p + o.qNorm; kNorm = p + o.kNorm; oProj = p + o.oProj
        postNorm = p + o.postNorm; gateUpWeight = p + o.gateUpWeight; downProj = p + o.downProj
    }
}
