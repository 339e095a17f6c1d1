import Collectives
import ExactSum
import GPT
import RunConfig

extension Trainer {
    /// Global-norm clipping of the step's summed gradients; returns the norm and the scale.
    ///
    /// Float sums without ZeRO-1: `GradientClipping.clip` over the whole buffers, as always.
    /// ZeRO-1: each rank's Σ g² over its shard, summed across ranks, plus the head's. Under
    /// `distributed.exact` (sharded or not) the squares add exactly (`ExactSquareSum`), so the
    /// norm's bits do not depend on the shard partition: sharded runs equal unsharded ones.
    func clipGradients() throws(CollectiveError) -> (norm: Float, scale: Float) {
        let maxNorm = Float(config.training.gradClip)
        guard sharding != nil || config.distributed.exact else {
            return GradientClipping.clip([trainedGradients] + (extra.map { [$0.gradients] } ?? []), maxNorm: maxNorm)
        }
        let shard = sharding?.shard ?? 0..<trainedGradients.count
        let mine = UnsafeMutableBufferPointer(rebasing: trainedGradients[shard])
        let norm: Float
        if config.distributed.exact {
            var squares = ExactSquareSum()
            squares.add(UnsafeBufferPointer(mine), threads: KernelThreads.count)
            var total = squares.sums
            if sharding != nil { try total.allReduce(comm: comm) }
            if let extra {
                var head = ExactSquareSum()
                head.add(UnsafeBufferPointer(extra.gradients))
                total.add(head.sums)
            }
            norm = Float(total.value(at: 0).squareRoot())
        } else {
            var total = try comm.sum(GradientClipping.sumOfSquares(UnsafeBufferPointer(mine)))
            if let extra { total += GradientClipping.sumOfSquares(UnsafeBufferPointer(extra.gradients)) }
            norm = Float(total.squareRoot())
        }
        let scale = GradientClipping.scale(norm: norm, maxNorm: maxNorm)
        if scale != 1 {
            GradientClipping.multiply(mine, by: scale)
            if let extra { GradientClipping.multiply(extra.gradients, by: scale) }
        }
        return (norm, scale)
    }

    /// ZeRO-1's update: Muon on the matrices inside this rank's shard, AdamW on the rest of the
    /// shard (at the AdamW group's rate under "muon"), the head's AdamW (unsharded, the same on
    /// every rank), then every rank's updated shard all-gathered into every replica.
    func shardedOptimizerStep(learningRate: Double, sharding: OptimizerSharding) throws(CollectiveError) {
        var adamRate = learningRate
        if let muon {
            muon.muon.step(parameters: model.parameters, gradients: UnsafeBufferPointer(trainedGradients), learningRate: Float(learningRate))
            adamRate = learningRate * muon.adamRatio
        }
        let shard = sharding.shard
        optimizer.update(parameters: UnsafeMutableBufferPointer(rebasing: model.parameters[shard]),
                         gradients: UnsafeMutableBufferPointer(rebasing: trainedGradients[shard]), learningRate: Float(adamRate), step: step + 1)
        if !frozen.isEmpty {
            _ = UnsafeMutableBufferPointer(rebasing: model.parameters[frozen]).update(fromContentsOf: frozenValues)
        }
        if let extra {
            extra.optimizer.update(parameters: extra.values, gradients: extra.gradients, learningRate: Float(adamRate), step: step + 1)
        }
        watchdog?.enter("parameter all-gather", step: step, collective: true)
        if comm.size > 1 { try comm.allGather(model.parameters, ranges: sharding.partition.shards) }
    }

    /// Every rank, before a save under ZeRO-1: rank 0 gathers every shard's optimizer state into
    /// the one logical state the checkpoint holds. Nothing to do unsharded.
    func gatherShards() throws(CollectiveError) {
        guard let sharding else { return }
        try sharding.exchange(adam: optimizer, muon: muon?.muon, comm: comm, toRoot: true)
    }

    /// Every rank, on resume under ZeRO-1: each takes its slice of the logical state rank 0 read.
    func scatterShards() throws(CollectiveError) {
        guard let sharding else { return }
        try sharding.exchange(adam: optimizer, muon: muon?.muon, comm: comm, toRoot: false)
        sharding.releaseLogical()
    }

    /// The optimizer state a checkpoint writes or reads on rank 0: the trainer's own, or under
    /// ZeRO-1 the logical whole-buffer state (`reading` allocates it; a save needs it gathered).
    func checkpointOptimizer(reading: Bool) throws -> (adam: AdamW, muon: Muon?) {
        guard let sharding else { return (optimizer, muon?.muon) }
        if reading { return sharding.makeLogical() }
        guard let logical = sharding.logical else {
            throw TrainingError("a sharded optimizer's state must be gathered (gatherShards) before rank 0 saves a checkpoint")
        }
        return logical
    }
}
