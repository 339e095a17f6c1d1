import GPT

/// The memory one rank needs for a run: parameters, gradients and AdamW's two moments (16 bytes per
/// parameter; 8 without the optimizer; 16 more for exact gradient sums), Muon's buffers under
/// "muon", plus the activations of one micro-batch. Computed with
/// overflow checks, so a config of absurd sizes is an error here rather than a trap or a wrapped
/// size inside the model.
public struct MemoryRequirement: Sendable, Equatable {
    /// Parameters of the model.
    public let parameters: Int
    /// Bytes of parameters, gradients and (when training) the AdamW moments and Muon's buffers.
    public var stateBytes: Int { weightBytes + optimizerBytes + muonBytes + exactBytes }
    /// Bytes of the parameters and their gradients (8 per parameter).
    public let weightBytes: Int
    /// Bytes of AdamW's two moments (8 per parameter when training, else 0; the largest shard's
    /// under ZeRO-1, `sharded(config:ranks:)`).
    public internal(set) var optimizerBytes: Int
    /// Bytes of Muon's momentum, packed updates and Newton–Schulz scratch (0 without Muon).
    public internal(set) var muonBytes: Int
    /// Bytes of the exact gradient sum's limbs (0 without `distributed.exact`).
    public let exactBytes: Int
    /// Ranks the optimizer state is sharded over (ZeRO-1), 1 when it is not.
    public internal(set) var shardedRanks = 1
    /// Bytes of the activation buffer.
    public let activationBytes: Int
    /// LoRA adapter parameters (0 without LoRA): then only they have gradients, moments and exact limbs.
    public let adapterParameters: Int
    /// All of it: what one rank allocates up front.
    public var totalBytes: Int { stateBytes + activationBytes }

    /// The estimate for `model` with micro-batches of `batch` sequences of `sequence` tokens, with
    /// AdamW's moments unless `optimizer` is false (evaluation and sampling), Muon's buffers with
    /// `muon`, and the exact sum's two Int64 limbs per gradient element when `exactGradients`.
    /// With `adapterParameters` > 0 (LoRA) the base has no gradients: 4 bytes per base parameter,
    /// and the gradients, moments and limbs count the adapter's parameters only.
    public init(model: GPTConfig, batch: Int, sequence: Int, optimizer: Bool = true, muon: Bool = false,
                exactGradients: Bool = false, adapterParameters: Int = 0) throws(ConfigError) {
        let lora = adapterParameters > 0
        guard let sizes = GPTModel.checkedSizes(config: model, batch: batch, sequence: sequence),
              case let trained = lora ? adapterParameters : sizes.parameters,
              let weights = lora ? CheckedSize.product([sizes.parameters, 4]).flatMap { base in CheckedSize.product([adapterParameters, 8]).flatMap { CheckedSize.sum([base, $0]) } } : CheckedSize.product([sizes.parameters, 8]),
              let moments = CheckedSize.product([trained, optimizer ? 8 : 0]),
              let exact = CheckedSize.product([trained, exactGradients ? Self.exactBytesPerParameter : 0]),
              let muonBytes = optimizer && muon ? Self.muonBytes(model: model) : 0,
              let activations = CheckedSize.product([sizes.activations, MemoryLayout<Float>.stride]),
              CheckedSize.sum([weights, moments, exact, muonBytes, activations]) != nil
        else {
            throw ConfigError("model", "n_layer \(model.nLayer), n_head \(model.nHead), n_embd \(model.nEmbd), block_size \(model.blockSize), vocab_size \(model.vocabSize) with micro-batches of \(batch) × \(sequence) tokens need more memory than a 64-bit size can count; use realistic sizes (GPT-2 124M is n_layer 12, n_embd 768)")
        }
        parameters = sizes.parameters
        weightBytes = weights
        optimizerBytes = moments
        self.muonBytes = muonBytes
        exactBytes = exact
        activationBytes = activations
        self.adapterParameters = adapterParameters
    }

    /// The estimate for a training run of `config`: micro-batches of training.micro_batch × block_size.
    public init(config: TrainConfig) throws(ConfigError) {
        try self.init(model: config.model, batch: config.training.microBatch, sequence: config.model.blockSize,
                      muon: config.training.optimizer == "muon", exactGradients: config.distributed.exact,
                      adapterParameters: Self.adapterParameters(config))
    }

    /// The LoRA adapter's parameter count for a fine-tune of `config` with `finetune.lora_r` > 0, else 0.
    public static func adapterParameters(_ config: TrainConfig) -> Int {
        guard let lora = config.lora, config.model.nEmbd > 0, config.model.nLayer > 0,
              config.model.nEmbd <= 1 << 20, config.model.nLayer <= 1 << 20, lora.rank <= config.model.nEmbd,
              (0...(1 << 22)).contains(config.model.intermediateSize) else { return 0 }
        return LoRAAdapter.parameterCount(settings: lora, config: config.model)
    }

    /// Bytes per gradient element of an exact sum (`ExactGradientSum`: two Int64 limbs).
    public static let exactBytesPerParameter = 16

    /// "1.5 GiB"-style text for a byte count.
    public static func text(bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit + 1 < units.count {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f ", value) + units[unit]
    }
}

extension MemoryRequirement {
    /// Throws one line naming the estimate and the memory available when `ranks` ranks of this size
    /// would not fit in `available` (nil: unknown, nothing is refused).
    public func checkFits(ranks: Int, available: AvailableMemory?) throws(ConfigError) {
        guard let available else { return }
        let needed = CheckedSize.product([totalBytes, max(1, ranks)])
        guard let needed, needed <= available.bytes else {
            let total = needed.map { Self.text(bytes: $0) } ?? "more than 8 EiB"
            let perRank = ranks > 1 ? " (\(ranks) ranks × \(Self.text(bytes: totalBytes)))" : ""
            let count = parameters >= 1_000_000_000 ? String(format: "%.1fG", Double(parameters) / 1e9) : String(format: "%.2fM", Double(parameters) / 1e6)
            let parts = "\(count) parameters × \(stateBytes / max(1, parameters)) bytes for weights, gradients and optimizer (and exact sums when distributed.exact is on), plus \(Self.text(bytes: activationBytes)) of activations per rank"
            throw ConfigError("model", "the run needs an estimated \(total) of memory on this machine\(perRank): \(parts); only \(Self.text(bytes: available.bytes)) is available (\(available.source)); use a smaller model (model.n_layer, model.n_embd), a smaller training.micro_batch, or fewer ranks per machine")
        }
    }
}
