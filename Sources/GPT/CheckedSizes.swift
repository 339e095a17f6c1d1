/// Buffer sizes of a model, computed with overflow reported instead of trapping or wrapping, so that
/// dimensions from outside (configs, state.json) can be checked before anything is allocated.
/// `ParameterLayout` and `ActivationLayout` lay out exactly these counts (GPTTests checks it).
extension GPTModel {
    /// Floats in the parameter buffer and in the activation buffer of a model of `config` built for
    /// batches of `batch` sequences of `sequence` tokens; nil when a count does not fit in an Int.
    public static func checkedSizes(config: GPTConfig, batch: Int, sequence: Int) -> (parameters: Int, activations: Int)? {
        guard let parameters = ParameterLayout.checkedCount(config: config),
              let activations = ActivationLayout.checkedCount(config: config, maxBatch: batch, maxSequence: sequence)
        else { return nil }
        return (parameters, activations)
    }
}

extension ParameterLayout {
    /// `totalCount` for `config` without building the layout: wte (V, C), wpe (T, C), per block
    /// 12·C² + 13·C, ln_f 2·C. Nil when a dimension is not positive or the count overflows.
    static func checkedCount(config c: GPTConfig) -> Int? {
        let C = c.nEmbd
        guard C > 0, c.vocabSize > 0, c.blockSize > 0, c.nLayer > 0 else { return nil }
        if c.family == .llama { return checkedLlamaCount(config: c) }
        return CheckedSize.sum([
            CheckedSize.product([c.vocabSize, C]),
            CheckedSize.product([c.blockSize, C]),
            CheckedSize.sum([CheckedSize.product([12, C, C]), CheckedSize.product([13, C])]).flatMap { CheckedSize.product([c.nLayer, $0]) },
            CheckedSize.product([2, C]),
        ])
    }
}

extension ActivationLayout {
    /// `totalCount` without building the layout. Per batch × sequence position: 16·L + 8 vectors of
    /// width C (with the backward scratch) and 4·L + 3 scalars; L + 1 attention maps of NH·T² per
    /// sequence; one chunk of the head's logits rows and the head's V × C gradient of wte. Nil when a
    /// dimension is not positive or the count overflows.
    static func checkedCount(config c: GPTConfig, maxBatch: Int, maxSequence: Int) -> Int? {
        let L = c.nLayer, V = c.vocabSize
        guard maxBatch > 0, maxSequence > 0, L > 0, c.nEmbd > 0, c.nHead > 0, V > 0,
              let bt = CheckedSize.product([maxBatch, maxSequence]),
              let btc = CheckedSize.product([bt, c.nEmbd]),
              let att = CheckedSize.product([maxBatch, c.nHead, maxSequence, maxSequence])
        else { return nil }
        if c.family == .llama { return checkedLlamaCount(config: c, bt: bt, btc: btc, att: att) }
        return CheckedSize.sum([
            CheckedSize.sum([CheckedSize.product([16, L]), 8]).flatMap { CheckedSize.product([btc, $0]) },
            CheckedSize.sum([CheckedSize.product([4, L]), 3]).flatMap { CheckedSize.product([bt, $0]) },
            CheckedSize.sum([L, 1]).flatMap { CheckedSize.product([att, $0]) },
            CheckedSize.product([headChunkRows(rows: bt, vocab: V), V]),
            CheckedSize.product([V, c.nEmbd]),
        ])
    }
}

/// Products and sums of non-negative sizes, nil on overflow (or when a term is already nil), for
/// sizes that come from outside.
public enum CheckedSize {
    /// The product of `factors`, or nil when one is negative or the product overflows.
    public static func product(_ factors: [Int]) -> Int? {
        var p = 1
        for f in factors {
            guard f >= 0 else { return nil }
            let (r, overflow) = p.multipliedReportingOverflow(by: f)
            if overflow { return nil }
            p = r
        }
        return p
    }

    /// The sum of `terms`, or nil when one is nil or negative or the sum overflows.
    public static func sum(_ terms: [Int?]) -> Int? {
        var s = 0
        for t in terms {
            guard let t, t >= 0 else { return nil }
            let (r, overflow) = s.addingReportingOverflow(t)
            if overflow { return nil }
            s = r
        }
        return s
    }
}
