import Foundation
import GPT

/// What one rank holds in memory while training, item by item: printed at start-up and compared
/// with the measured peak by `trainer bench`.
public struct MemoryEstimate: Sendable {
    /// One line of the estimate.
    public struct Item: Sendable {
        public var name: String
        public var bytes: Int
    }

    /// The items, largest first.
    public let items: [Item]
    /// The part of the estimate that the refusal before MPI counts.
    public let requirement: MemoryRequirement

    /// Everything together.
    public var totalBytes: Int { items.reduce(0) { $0 + $1.bytes } }

    /// The estimate for training `config` with `plan`; `baselineBytes` is what the process held
    /// before the run allocated anything (the Swift runtime, libraries and Open MPI).
    public init(config: TrainConfig, plan: BatchPlan, baselineBytes: Int) throws(ConfigError) {
        let requirement = try MemoryRequirement(model: config.model, batch: plan.microBatch, sequence: plan.sequence,
                                                muon: config.training.optimizer == "muon", exactGradients: config.distributed.exact,
                                                adapterParameters: MemoryRequirement.adapterParameters(config))
            .sharded(config: config, ranks: plan.worldSize)
        self.init(requirement: requirement, config: config, plan: plan, baselineBytes: baselineBytes)
    }

    /// The estimate itemized from `requirement` (what the refusal before MPI counted), plus what
    /// only a running process holds: the runtime, OpenBLAS's and Open MPI's buffers.
    public init(requirement r: MemoryRequirement, config: TrainConfig, plan: BatchPlan, baselineBytes: Int) {
        let m = config.model, n = r.parameters
        var items = [
            Item(name: r.adapterParameters > 0 ? "parameters (base frozen) and LoRA adapters with gradients" : "parameters and gradients",
                 bytes: r.weightBytes),
            Item(name: r.adapterParameters > 0 ? "AdamW moments (adapters only)"
                 : r.shardedRanks > 1 ? "AdamW moments (largest of \(r.shardedRanks) shards)" : "AdamW moments", bytes: r.optimizerBytes),
            Item(name: "activations (micro-batch \(plan.microBatch) × \(plan.sequence))", bytes: r.activationBytes),
            Item(name: "runtime, libraries, MPI (before the run)", bytes: baselineBytes),
            Item(name: "OpenBLAS buffers", bytes: KernelThreads.count * Self.blasBufferBytes(config: m, rows: plan.microBatch * plan.sequence)),
        ]
        if r.muonBytes > 0 { items.append(Item(name: "Muon momentum, updates and Newton–Schulz scratch", bytes: r.muonBytes)) }
        let exact = r.exactBytes > 0
        if exact { items.append(Item(name: "exact gradient sums (two Int64 limbs per parameter)", bytes: r.exactBytes)) }
        if plan.worldSize > 1 {
            // Open MPI gives each nonblocking all-reduce a temporary buffer of its size, and with
            // overlap every bucket of a step can be in flight at once; without, one at a time.
            // Exact sums all-reduce the limbs: 16 bytes per parameter instead of 4.
            let bucket = Int(config.distributed.bucketMb * 1024 * 1024), all = (exact ? MemoryRequirement.exactBytesPerParameter : 4) * (r.adapterParameters > 0 ? r.adapterParameters : n)
            items.append(Item(name: "all-reduce buffers (Open MPI)", bytes: config.distributed.overlap ? all : min(all, bucket)))
        }
        self.requirement = r
        self.items = items.sorted { $0.bytes > $1.bytes }
    }

    /// OpenBLAS (Haswell/Zen kernels) packs sgemm operands into a 32 MiB buffer per thread: a
    /// 768×384 block of one operand and a 384×n panel of the other, n up to the widest product
    /// (the vocabulary, in the head's dwte) and at most about 20000.
    static func blasBufferBytes(config m: GPTConfig, rows: Int) -> Int {
        let q = 384, widest = min(20_000, max(m.vocabSize, 4 * m.nEmbd, rows))
        return 4 * (q * widest + 768 * q)
    }
}
