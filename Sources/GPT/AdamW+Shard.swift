extension AdamW {
    /// AdamW for one ZeRO-1 shard (`ShardPartition`) of `layout`'s flat buffer: moments for the
    /// shard's elements only, indexed from the shard's start, with each tensor's decay setting on
    /// its part of the shard; the `excluding` matrices (Muon's) are left out as in
    /// `init(layout:excluding:)`. Pass the shard's slices of the parameters and gradients to
    /// `update`. Every element's update is the same bits as in the whole buffer's AdamW: the pass
    /// is element-wise, and its 8-lane body and scalar tail compute each element alike.
    public convenience init(layout: ParameterLayout, excluding matrices: [MuonMatrix], shard: Range<Int>,
                            beta1: Float = 0.9, beta2: Float = 0.95, eps: Float = 1e-8, weightDecay: Float = 0.1) {
        let excluded = Set(matrices.map(\.range))
        let parts = layout.tensors.filter { !excluded.contains($0.range) }.compactMap { t -> (range: Range<Int>, decays: Bool)? in
            let low = max(t.range.lowerBound, shard.lowerBound), high = min(t.range.upperBound, shard.upperBound)
            return low < high ? ((low - shard.lowerBound)..<(high - shard.lowerBound), layout.decays(t)) : nil
        }
        self.init(tensors: parts, count: shard.count, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
    }
}
