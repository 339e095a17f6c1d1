// The Llama family's buffer sizes, overflow-checked (see CheckedSizes.swift); ParameterLayout+Llama
// and LlamaActivations lay out exactly these counts.

extension GPTConfig {
    /// The SwiGLU width, or nil when it is negative or the default's arithmetic would overflow.
    var checkedIntermediateSize: Int? {
        if intermediateSize > 0 { return intermediateSize }
        guard intermediateSize == 0, nEmbd > 0, nEmbd <= Int.max / 64 else { return nil }
        return resolvedIntermediateSize
    }
}

extension ParameterLayout {
    /// embed_tokens V·C (twice when the head is untied), per block 4C² + 3·I·C + 2C (+ 2·HS with
    /// qk_norm), model.norm C.
    static func checkedLlamaCount(config c: GPTConfig) -> Int? {
        let C = c.nEmbd
        guard c.nHead > 0, C % c.nHead == 0, let I = c.checkedIntermediateSize else { return nil }
        let block = CheckedSize.sum([
            CheckedSize.product([4, C, C]), CheckedSize.product([3, I, C]), CheckedSize.product([2, C]),
            c.qkNorm ? CheckedSize.product([2, C / c.nHead]) : 0,
        ])
        return CheckedSize.sum([
            CheckedSize.product([c.tiedHead ? 1 : 2, c.vocabSize, C]),
            block.flatMap { CheckedSize.product([c.nLayer, $0]) },
            C,
        ])
    }
}

extension ActivationLayout {
    /// Per batch × sequence position: (8 + 3·qk)·L + 4 vectors of width C, (3·I)·L + I + max(3C, 2I)
    /// floats of the MLP and scratch, (2 + 2·NH·qk)·L + 2 scalars; L + 1 attention maps of NH·T²
    /// per sequence; the head's chunk and V × C gradient; the rotary tables, block_size × HS.
    static func checkedLlamaCount(config c: GPTConfig, bt: Int, btc: Int, att: Int) -> Int? {
        let L = c.nLayer, V = c.vocabSize, q = c.qkNorm ? 1 : 0
        guard c.nEmbd % c.nHead == 0, let I = c.checkedIntermediateSize,
              let wideQKV = CheckedSize.product([3, c.nEmbd]), let wideMLP = CheckedSize.product([2, I])
        else { return nil }
        let vectors = CheckedSize.sum([CheckedSize.product([8 + 3 * q, L]), 4])
        let mlp = CheckedSize.sum([CheckedSize.product([3, I, L]), I, max(wideQKV, wideMLP)])
        let scalars = CheckedSize.sum([CheckedSize.product([2 * q, c.nHead, L]), CheckedSize.product([2, L]), 2])
        return CheckedSize.sum([
            vectors.flatMap { CheckedSize.product([btc, $0]) },
            mlp.flatMap { CheckedSize.product([bt, $0]) },
            scalars.flatMap { CheckedSize.product([bt, $0]) },
            CheckedSize.sum([L, 1]).flatMap { CheckedSize.product([att, $0]) },
            CheckedSize.product([headChunkRows(rows: bt, vocab: V), V]),
            CheckedSize.product([V, c.nEmbd]),
            CheckedSize.product([c.blockSize, c.nEmbd / c.nHead / 2, 2]),
        ])
    }
}
