import GPT

extension MemoryRequirement {
    /// This estimate for one of `ranks` ranks under `distributed.shard_optimizer` (ZeRO-1): AdamW's
    /// moments and Muon's momentum and updates only for the largest shard of `ShardPartition`
    /// (the rank that needs most), Newton–Schulz scratch for the largest matrix still. Unchanged
    /// when sharding is off or there is one rank, or when the layout cannot be built.
    public func sharded(config: TrainConfig, ranks: Int) -> MemoryRequirement {
        let m = config.model
        guard config.distributed.shardOptimizer, ranks > 1, optimizerBytes > 0, m.nHead > 0, m.nEmbd % m.nHead == 0 else { return self }
        let layout = ParameterLayout(config: m)
        let muon = config.training.optimizer == "muon"
        let partition = ShardPartition(layout: layout, ranks: ranks, muon: muon)
        var out = self
        out.shardedRanks = ranks
        out.optimizerBytes = partition.largest * 2 * MemoryLayout<Float>.size
        if muon {
            let matrices = layout.muonMatrices
            let perRank = partition.shards.map { shard in matrices.filter { shard.contains($0.offset) }.reduce(0) { $0 + $1.count } }
            let largest = matrices.map(\.count).max() ?? 0
            let square = matrices.map { min($0.rows, $0.columns) * min($0.rows, $0.columns) }.max() ?? 0
            out.muonBytes = ((perRank.max() ?? 0) + largest + square) * 2 * MemoryLayout<Float>.size
        }
        return out
    }
}
