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
        let m = config.model
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
        if let frozen = Self.frozenCopyBytes(config: config, requirement: r) {
            items.append(Item(name: "frozen weights' copy (finetune.freeze_layers \(config.finetuneSection.freezeLayers))", bytes: frozen))
        }
        let exact = r.exactBytes > 0
        if exact { items.append(Item(name: "exact gradient sums (two Int64 limbs per parameter)", bytes: r.exactBytes)) }
        if plan.worldSize > 1 {
            items.append(Item(name: "all-reduce buffers (Open MPI)", bytes: Self.allReduceBufferBytes(config: config, requirement: r)))
        }
        self.requirement = r
        self.items = items.sorted { $0.bytes > $1.bytes }
    }

    /// A fine-tune with `finetune.freeze_layers` > 0 keeps a copy of the frozen weights (the
    /// embeddings and the lowest blocks) to put back after each AdamW step (`Trainer.frozenValues`);
    /// nil without frozen layers or under LoRA, which refuses them.
    static func frozenCopyBytes(config: TrainConfig, requirement r: MemoryRequirement) -> Int? {
        let freeze = config.finetuneSection.freezeLayers
        guard freeze > 0, freeze <= config.model.nLayer, r.adapterParameters == 0 else { return nil }
        return MemoryLayout<Float>.size * ParameterLayout(config: config.model).layerRange(freeze - 1).upperBound
    }

    /// Open MPI's temporaries for the gradient all-reduce on one rank: each nonblocking all-reduce
    /// gets a buffer of its size, freed when a later MPI call finds it complete; exact sums reduce
    /// the limbs, 16 bytes per element instead of 4. Without overlap, one bucket at a time. With
    /// overlap, backward reports the gradient range by range (an untied head, the final norm, each
    /// block from the last, the embeddings last) and every range's buckets start at once: at the
    /// last range's start at least it and the block before are in flight (the low bound), at most
    /// every bucket of the step. Where between depends on how the two ranks' MPI calls happen to
    /// line up (measured with exact sums at -n 2: 711–818 of 1899 MiB at gpt2-124m, low bound
    /// 709; 72–191 of 212 MiB at gpt-small, low bound 77), so the estimate takes the midpoint:
    /// within 10% of the peak while the term is a fifth of the total or less. Counting every
    /// bucket had put the gpt2-124m fine-tune's estimate 16% over its peak (issue 26). A LoRA
    /// adapter's gradient goes as one range when backward ends (all of it); under ZeRO-1 every
    /// bucket still counts (the reduce-scatter keeps more temporaries).
    static func allReduceBufferBytes(config: TrainConfig, requirement r: MemoryRequirement) -> Int {
        let perElement = r.exactBytes > 0 ? MemoryRequirement.exactBytesPerParameter : 4
        let bucket = Int(config.distributed.bucketMb * 1024 * 1024)
        let elements = r.adapterParameters > 0 ? r.adapterParameters : r.parameters
        guard config.distributed.overlapsBackward else { return min(perElement * elements, bucket) }
        guard r.adapterParameters == 0, r.shardedRanks == 1, config.model.nLayer > 0 else { return perElement * elements }
        let layout = ParameterLayout(config: config.model)
        let block = layout.layerRange(0).count
        let low = min(elements, max(layout.embeddingRange.count, layout.headRange?.count ?? 0, block) + block)
        return perElement * (low + (elements - low) / 2)
    }

    /// OpenBLAS (Haswell/Zen kernels) packs sgemm operands into a 32 MiB buffer per thread: a
    /// 768×384 block of one operand and a 384×n panel of the other, n up to the widest product
    /// (the vocabulary, in the head's dwte) and at most about 20000.
    static func blasBufferBytes(config m: GPTConfig, rows: Int) -> Int {
        let q = 384, widest = min(20_000, max(m.vocabSize, 4 * m.nEmbd, rows))
        return 4 * (q * widest + 768 * q)
    }
}
