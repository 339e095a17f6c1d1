import RunConfig

/// Weak scaling projected from one machine's measured step: every rank computes the same tokens per
/// step as measured; the gradient sum's cost comes from the α–β model of the algorithm Open MPI
/// runs (`CollectiveAlgorithm`); overlap hides it behind the last micro-batch's backward pass.
///
/// Assumptions: compute per token does not change with the rank count (one rank per node or
/// socket, no straggler); the link is full-duplex and non-blocking (every rank gets `link` at
/// once, as on a fat tree); only the last micro-batch's backward overlaps the all-reduce (as
/// GradientSync does); the embeddings' gradients are final only when backward ends, so their
/// bucket is never hidden; with shard_optimizer the parameter all-gather after the optimizer is
/// never hidden and the optimizer runs on 1/p of the parameters.
public struct ScalingModel: Sendable {
    /// Forward + backward seconds per token on one rank.
    public var computeSecondsPerToken: Double
    /// Backward's share of forward + backward.
    public var backwardFraction: Double
    /// Optimizer seconds per step, unsharded.
    public var optimizerSeconds: Double
    /// The rest of a step (batches, loss, clipping), seconds.
    public var otherSeconds: Double
    /// Tokens each rank computes per step.
    public var tokensPerRank: Int
    /// Tokens of one micro-batch: the backward that overlap hides behind.
    public var microBatchTokens: Int
    /// The gradient buckets in the order they are reduced, bytes (`GradientBuckets.sizes`); with
    /// overlap the last one holds the embeddings, final only when backward ends.
    public var buckets: [Double]
    public var overlap: Bool
    public var shardOptimizer: Bool
    /// The nonblocking all-reduce's algorithm (libnbc's binomial unless forced).
    public var nonblocking: CollectiveAlgorithm
    public var link: LinkCost

    /// Every input given.
    public init(computeSecondsPerToken: Double, backwardFraction: Double, optimizerSeconds: Double, otherSeconds: Double,
                tokensPerRank: Int, microBatchTokens: Int, buckets: [Double], overlap: Bool, shardOptimizer: Bool,
                nonblocking: CollectiveAlgorithm = .binomial, link: LinkCost) {
        (self.computeSecondsPerToken, self.backwardFraction, self.optimizerSeconds, self.otherSeconds) =
            (computeSecondsPerToken, backwardFraction, optimizerSeconds, otherSeconds)
        (self.tokensPerRank, self.microBatchTokens, self.buckets) = (tokensPerRank, microBatchTokens, buckets)
        (self.overlap, self.shardOptimizer, self.nonblocking, self.link) = (overlap, shardOptimizer, nonblocking, link)
    }

    /// One rank count's projection (seconds per step).
    public struct Projection: Sendable {
        public var ranks: Int
        /// The gradient sum (and all-gather), hidden part included.
        public var commSeconds: Double
        /// The backward time overlap can hide it behind.
        public var hideSeconds: Double
        public var exposedSeconds: Double
        public var stepSeconds: Double
        /// Step time on one rank (no communication) ÷ step time here.
        public var efficiency: Double
        public var tokensPerSecond: Double
        /// Whether the communication fits behind backward (all but the tail bucket hidden).
        public var hidden: Bool
    }

    /// The seconds each step's gradient sum takes on `ranks`: (total, tail bucket, unhideable all-gather).
    func communication(ranks p: Int) -> (total: Double, tail: Double, gather: Double) {
        guard p > 1, let last = buckets.last else { return (0, 0, 0) }
        let n = buckets.reduce(0, +)
        func reduce(_ bytes: Double) -> Double {
            if shardOptimizer { return CollectiveAlgorithm.ringReduceScatter.seconds(bytes: bytes, ranks: p, link: link) }
            let algorithm = overlap ? nonblocking : CollectiveAlgorithm.blockingAllReduce(bytes: bytes, ranks: p)
            return algorithm.seconds(bytes: bytes, ranks: p, link: link)
        }
        let gather = shardOptimizer ? CollectiveAlgorithm.ringAllGather.seconds(bytes: n, ranks: p, link: link) : 0
        return (buckets.map(reduce).reduce(0, +), reduce(last), gather)
    }

    /// The projection at `ranks`.
    public func project(ranks p: Int) -> Projection {
        let compute = Double(tokensPerRank) * computeSecondsPerToken
        let optimizer = shardOptimizer ? optimizerSeconds / Double(max(1, p)) : optimizerSeconds
        let single = compute + optimizerSeconds + otherSeconds
        let comm = communication(ranks: p)
        let hide = overlap ? Double(microBatchTokens) * computeSecondsPerToken * backwardFraction : 0
        let reduceExposed = overlap ? max(comm.tail, comm.total - hide) : comm.total
        let exposed = p > 1 ? reduceExposed + comm.gather : 0
        let step = compute + optimizer + otherSeconds + exposed
        return Projection(ranks: p, commSeconds: comm.total + comm.gather, hideSeconds: hide, exposedSeconds: exposed,
                          stepSeconds: step, efficiency: single / step, tokensPerSecond: Double(p * tokensPerRank) / step,
                          hidden: overlap && comm.total <= hide)
    }

    /// The smallest power of two of ranks (2 … `limit`) at which the gradient sum no longer fits
    /// behind backward; nil when it fits up to `limit` (or overlap is off: then it never hides).
    public func firstExposedRanks(limit: Int = 1 << 16) -> Int? {
        guard overlap else { return nil }
        var p = 2
        while p <= limit {
            if !project(ranks: p).hidden { return p }
            p *= 2
        }
        return nil
    }
}

extension ScalingModel {
    /// The model of `config`'s step (its micro-batch, buckets, overlap and shard_optimizer) from a
    /// measured step: forward and backward seconds of `tokensPerRank` tokens, optimizer and other.
    public init(config: TrainConfig, forwardSeconds: Double, backwardSeconds: Double, optimizerSeconds: Double,
                otherSeconds: Double, tokensPerRank: Int, link: LinkCost, nonblocking: CollectiveAlgorithm = .binomial) {
        let compute = forwardSeconds + backwardSeconds
        // The projection spans machines over `link`, where "auto" overlaps.
        let overlap = config.distributed.overlap != .off
        self.init(computeSecondsPerToken: compute / Double(max(1, tokensPerRank)),
                  backwardFraction: compute > 0 ? backwardSeconds / compute : 0.5,
                  optimizerSeconds: optimizerSeconds, otherSeconds: otherSeconds, tokensPerRank: tokensPerRank,
                  microBatchTokens: config.training.microBatch * config.model.blockSize,
                  buckets: GradientBuckets.sizes(config: config, overlap: overlap),
                  overlap: overlap, shardOptimizer: config.distributed.shardOptimizer,
                  nonblocking: nonblocking, link: link)
    }
}
