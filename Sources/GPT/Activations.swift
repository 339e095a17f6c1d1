// llm.c-style named views into one activation allocation sized for (maxB, maxT).
// Per-layer tensors are strided by their (maxB, maxT) size, while inside a view the data
// is packed for the actual (B, T) of the current pass.

/// Float offsets of every activation tensor inside the single activation buffer. The GPT-2
/// tensors are named here; Llama uses the shared ones (encoded, lnf, lnfRstd, losses, the head's,
/// the backward scratch) and its own in `llama`.
struct ActivationLayout {
    let maxB: Int, maxT: Int, C: Int, NH: Int, L: Int, V: Int
    // Per-layer tensors: offset of layer 0 and the per-layer stride.
    var encoded = 0
    var ln1 = 0, ln1Mean = 0, ln1Rstd = 0, qkv = 0, atty = 0, att = 0, residual2 = 0
    var ln2 = 0, ln2Mean = 0, ln2Rstd = 0, fch = 0, fchGelu = 0, residual3 = 0
    var lnf = 0, lnfMean = 0, lnfRstd = 0, losses = 0
    // The language-model head: one chunk of logits and the unit-scale gradient of wte.
    var headLogits = 0, headChunk = 0, dwteHead = 0
    // Backward scratch, reused by every layer.
    var dResidual = 0, dSmall = 0, dWide = 0, dAtt = 0
    // The Llama family's own tensors (LlamaActivations.swift).
    var llama = LlamaActivationOffsets()
    var totalCount = 0
    let btc: Int, bt: Int, attCount: Int

    /// The layout for batches of `maxBatch` sequences of `maxSequence` tokens; the sizes must fit
    /// (configs are checked with `init?(checking:)` before a model is built).
    init(config: GPTConfig, maxBatch: Int, maxSequence: Int) {
        guard let layout = ActivationLayout(checking: config, maxBatch: maxBatch, maxSequence: maxSequence) else {
            preconditionFailure("the activation buffer of this model and batch does not fit in an Int; check sizes with GPTModel.checkedSizes first")
        }
        self = layout
    }

    /// The layout, or nil when a dimension is not positive or a size overflows: the one place
    /// that sizes the activation buffer, for checking and for allocating alike.
    init?(checking config: GPTConfig, maxBatch: Int, maxSequence: Int) {
        maxB = maxBatch; maxT = maxSequence
        C = config.nEmbd; NH = config.nHead; L = config.nLayer; V = config.vocabSize
        guard maxB > 0, maxT > 0, C > 0, C <= Int.max / 64, NH > 0, L > 0, V > 0, V <= Int.max / 4,
              let bt = CheckedSize.product([maxB, maxT]), let btc = CheckedSize.product([bt, C]),
              let attCount = CheckedSize.product([maxB, NH, maxT, maxT])
        else { return nil }
        self.bt = bt
        self.btc = btc
        self.attCount = attCount
        var o = CheckedOffset()
        switch config.family {
        case .gpt2: layOutGPT2(&o)
        case .llama:
            guard let I = config.checkedIntermediateSize, I <= Int.max / 64, C % NH == 0 else { return nil }
            layOutLlama(config, &o)
        }
        guard !o.overflowed else { return nil }
        totalCount = o.value
    }

    /// GPT-2's tensors from float `o` on; per-layer tensors are L consecutive slices.
    private mutating func layOutGPT2(_ o: inout CheckedOffset) {
        encoded = o.take(btc)
        ln1 = o.take(L, btc); ln1Mean = o.take(L, bt); ln1Rstd = o.take(L, bt)
        qkv = o.take(L, 3, btc); atty = o.take(L, btc); att = o.take(L, attCount)
        residual2 = o.take(L, btc)
        ln2 = o.take(L, btc); ln2Mean = o.take(L, bt); ln2Rstd = o.take(L, bt)
        fch = o.take(L, 4, btc); fchGelu = o.take(L, 4, btc); residual3 = o.take(L, btc)
        lnf = o.take(btc); lnfMean = o.take(bt); lnfRstd = o.take(bt)
        losses = o.take(bt)
        headChunk = Self.headChunkRows(rows: bt, vocab: V)
        headLogits = o.take(headChunk, V); dwteHead = o.take(V, C)
        dResidual = o.take(btc); dSmall = o.take(btc); dWide = o.take(4, btc); dAtt = o.take(attCount)
    }

    /// Rows of logits the head computes at once: 16 MiB of them, but at least 256 rows, because
    /// every chunk repacks wte for two sgemm calls (fewer rows, more packing per FLOP), and no
    /// more than the batch has.
    static func headChunkRows(rows: Int, vocab V: Int) -> Int {
        max(1, min(rows, max(256, (16 << 20) / (4 * V))))
    }
}

/// Pointers to one block's activations for the current pass.
struct LayerActivations {
    let ln1, ln1Mean, ln1Rstd, qkv, atty, att, residual2: UnsafeMutablePointer<Float>
    let ln2, ln2Mean, ln2Rstd, fch, fchGelu, residual3: UnsafeMutablePointer<Float>

    init(base a: UnsafeMutablePointer<Float>, layout s: ActivationLayout, layer l: Int) {
        ln1 = a + s.ln1 + l * s.btc
        ln1Mean = a + s.ln1Mean + l * s.bt
        ln1Rstd = a + s.ln1Rstd + l * s.bt
        qkv = a + s.qkv + l * 3 * s.btc
        atty = a + s.atty + l * s.btc
        att = a + s.att + l * s.attCount
        residual2 = a + s.residual2 + l * s.btc
        ln2 = a + s.ln2 + l * s.btc
        ln2Mean = a + s.ln2Mean + l * s.bt
        ln2Rstd = a + s.ln2Rstd + l * s.bt
        fch = a + s.fch + l * 4 * s.btc
        fchGelu = a + s.fchGelu + l * 4 * s.btc
        residual3 = a + s.residual3 + l * s.btc
    }
}

/// Pointers to one block's twelve tensors in a buffer with the parameter layout
/// (used for both parameters and gradients).
struct LayerParameters {
    let ln1Weight, ln1Bias, qkvWeight, qkvBias, attnProjWeight, attnProjBias: UnsafeMutablePointer<Float>
    let ln2Weight, ln2Bias, fcWeight, fcBias, fcProjWeight, fcProjBias: UnsafeMutablePointer<Float>

    init(base: UnsafeMutablePointer<Float>, layout: ParameterLayout, layer l: Int) {
        let p = base + layout.layerRange(l).lowerBound, o = layout.layer
        ln1Weight = p + o.ln1Weight; ln1Bias = p + o.ln1Bias
        qkvWeight = p + o.qkvWeight; qkvBias = p + o.qkvBias
        attnProjWeight = p + o.attnProjWeight; attnProjBias = p + o.attnProjBias
        ln2Weight = p + o.ln2Weight; ln2Bias = p + o.ln2Bias
        fcWeight = p + o.fcWeight; fcBias = p + o.fcBias
        fcProjWeight = p + o.fcProjWeight; fcProjBias = p + o.fcProjBias
    }
}
