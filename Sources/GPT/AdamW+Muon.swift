extension AdamW {
    /// AdamW for the tensors of `layout` that Muon does not take (`excluding`): embeddings, gains,
    /// biases. Its moments still span the whole flat buffer (so checkpoints keep one layout), but
    /// the excluded ranges are never read or written; with nothing excluded it is `init(layout:)`.
    public convenience init(layout: ParameterLayout, excluding matrices: [MuonMatrix], beta1: Float = 0.9,
                            beta2: Float = 0.95, eps: Float = 1e-8, weightDecay: Float = 0.1) {
        let excluded = Set(matrices.map(\.range))
        let kept = layout.tensors.filter { !excluded.contains($0.range) }
        self.init(tensors: kept.map { ($0.range, layout.decays($0)) }, count: layout.totalCount,
                  beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
    }
}
