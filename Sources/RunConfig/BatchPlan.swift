/// How one optimizer step's global batch is split across ranks and micro-batches.
///
/// The global batch of step s is the `sequencesPerStep` samples at stream positions
/// s·sequencesPerStep ..< (s+1)·sequencesPerStep; rank r takes a contiguous slice of them. The set
/// of samples per step depends only on the config, never on the world size.
public struct BatchPlan: Sendable, Equatable {
    /// Sequences (samples) in one global batch.
    public let sequencesPerStep: Int
    /// Sequences in one micro-batch on one rank.
    public let microBatch: Int
    /// Tokens per sequence (T).
    public let sequence: Int
    /// Ranks in the job.
    public let worldSize: Int
    /// Forward/backward passes per rank per step.
    public let accumulationSteps: Int

    /// Derives the plan, or explains which setting to change.
    public init(config: TrainConfig, worldSize: Int) throws(ConfigError) {
        try Self.checkWholeMicroBatches(config)
        let t = config.training
        let perPass = t.microBatch * config.model.blockSize * worldSize
        guard t.batchTokens % perPass == 0 else {
            let counts = Self.workingRankCounts(config: config)
            let works = counts.isEmpty ? "" : "; rank counts that split it: \(counts.map(String.init).joined(separator: ", "))"
            throw ConfigError("training.batch_tokens", "\(t.batchTokens) is not a multiple of micro_batch × block_size × ranks = \(t.microBatch) × \(config.model.blockSize) × \(worldSize) = \(perPass)\(works); change the rank count (mpirun -n), training.micro_batch or training.batch_tokens")
        }
        sequencesPerStep = t.batchTokens / config.model.blockSize
        microBatch = t.microBatch
        sequence = config.model.blockSize
        self.worldSize = worldSize
        accumulationSteps = t.batchTokens / perPass
    }

    /// Refuses a global batch that is not whole micro-batches, which no rank count can split
    /// (checked with the config, before the world size is known).
    public static func checkWholeMicroBatches(_ config: TrainConfig) throws(ConfigError) {
        let t = config.training, perMicro = t.microBatch * config.model.blockSize
        guard t.batchTokens % perMicro == 0 else {
            throw ConfigError("training.batch_tokens", "\(t.batchTokens) is not a multiple of micro_batch × block_size = \(perMicro); use e.g. \(perMicro * max(1, t.batchTokens / perMicro))")
        }
    }

    /// The rank counts over which `config`'s global batch splits into whole micro-batches: the
    /// divisors of its micro-batch count (at most 24 of them, the smallest), empty when the batch
    /// is not whole micro-batches at all.
    public static func workingRankCounts(config: TrainConfig) -> [Int] {
        let perMicro = config.training.microBatch * config.model.blockSize
        guard perMicro > 0, config.training.batchTokens % perMicro == 0 else { return [] }
        let micros = config.training.batchTokens / perMicro
        var small: [Int] = [], large: [Int] = []
        var d = 1
        while d * d <= micros {
            if micros % d == 0 {
                small.append(d)
                if d != micros / d { large.append(micros / d) }
            }
            d += 1
        }
        return Array((small + large.reversed()).prefix(24))
    }

    /// Tokens in one global batch.
    public var tokensPerStep: Int { sequencesPerStep * sequence }

    /// The stream position of the first sample of `micro` on `rank` at `step`.
    public func firstPosition(step: Int, rank: Int, micro: Int) -> Int {
        step * sequencesPerStep + rank * (sequencesPerStep / worldSize) + micro * microBatch
    }
}
