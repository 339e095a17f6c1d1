/// One named tensor inside the flat parameter buffer.
public struct ParameterTensor: Sendable, Equatable, Hashable {
    /// Hugging Face GPT-2 name, e.g. `h.0.attn.c_attn.weight`.
    public let name: String
    /// Shape in Hugging Face's Conv1D layout: linear weights are (in, out).
    public let shape: [Int]
    /// Index of the first element in the flat buffer.
    public let offset: Int
    /// Number of elements (product of `shape`).
    public let count: Int

    /// The tensor's elements as a range of the flat buffer.
    public var range: Range<Int> { offset..<(offset + count) }
}

/// Offsets of one block's tensors relative to the start of that block's range.
struct LayerOffsets: Sendable, Equatable {
    var ln1Weight = 0, ln1Bias = 0, qkvWeight = 0, qkvBias = 0, attnProjWeight = 0, attnProjBias = 0
    var ln2Weight = 0, ln2Bias = 0, fcWeight = 0, fcBias = 0, fcProjWeight = 0, fcProjBias = 0
}

/// Where every GPT-2 tensor lives in the one flat parameter buffer.
///
/// Order: `wte`, `wpe`, then each block's twelve tensors contiguously, then `ln_f`; so a
/// block's parameters (and gradients) form one range that can be all-reduced as a bucket.
/// The output head is tied to `wte` and has no tensor of its own.
public struct ParameterLayout: Sendable, Equatable {
    /// The model dimensions this layout was built for.
    public let config: GPTConfig
    /// All tensors in buffer order.
    public let tensors: [ParameterTensor]
    /// Total number of Float parameters.
    public let totalCount: Int

    private let indexByName: [String: Int]
    let wteOffset: Int
    let wpeOffset: Int
    let layersOffset: Int
    let layerStride: Int
    let layer: LayerOffsets
    let lnfWeightOffset: Int
    let lnfBiasOffset: Int

    /// Builds the layout for `config`.
    public init(config: GPTConfig) {
        precondition(config.nEmbd % config.nHead == 0, "n_embd must be a multiple of n_head")
        let C = config.nEmbd, V = config.vocabSize, L = config.nLayer
        var list: [ParameterTensor] = []
        var offset = 0
        func add(_ name: String, _ shape: [Int]) -> Int {
            let count = shape.reduce(1, *)
            list.append(ParameterTensor(name: name, shape: shape, offset: offset, count: count))
            defer { offset += count }
            return offset
        }
        wteOffset = add("wte.weight", [V, C])
        wpeOffset = add("wpe.weight", [config.blockSize, C])
        layersOffset = offset
        var local = LayerOffsets()
        for l in 0..<L {
            let base = offset
            let p = "h.\(l)."
            local.ln1Weight = add(p + "ln_1.weight", [C]) - base
            local.ln1Bias = add(p + "ln_1.bias", [C]) - base
            local.qkvWeight = add(p + "attn.c_attn.weight", [C, 3 * C]) - base
            local.qkvBias = add(p + "attn.c_attn.bias", [3 * C]) - base
            local.attnProjWeight = add(p + "attn.c_proj.weight", [C, C]) - base
            local.attnProjBias = add(p + "attn.c_proj.bias", [C]) - base
            local.ln2Weight = add(p + "ln_2.weight", [C]) - base
            local.ln2Bias = add(p + "ln_2.bias", [C]) - base
            local.fcWeight = add(p + "mlp.c_fc.weight", [C, 4 * C]) - base
            local.fcBias = add(p + "mlp.c_fc.bias", [4 * C]) - base
            local.fcProjWeight = add(p + "mlp.c_proj.weight", [4 * C, C]) - base
            local.fcProjBias = add(p + "mlp.c_proj.bias", [C]) - base
        }
        layer = local
        layerStride = 12 * C * C + 13 * C
        lnfWeightOffset = add("ln_f.weight", [C])
        lnfBiasOffset = add("ln_f.bias", [C])
        precondition(lnfWeightOffset == layersOffset + L * layerStride)
        self.config = config
        tensors = list
        totalCount = offset
        indexByName = Dictionary(uniqueKeysWithValues: list.enumerated().map { ($1.name, $0) })
    }

    /// The tensor with Hugging Face name `name`, or nil if there is none.
    public func tensor(named name: String) -> ParameterTensor? {
        indexByName[name].map { tensors[$0] }
    }

    /// The flat range holding every parameter of block `layer`.
    public func layerRange(_ layer: Int) -> Range<Int> {
        precondition(layer >= 0 && layer < config.nLayer)
        let start = layersOffset + layer * layerStride
        return start..<(start + layerStride)
    }

    /// The flat range of the token and position embeddings (`wte`, `wpe`).
    public var embeddingRange: Range<Int> { wteOffset..<layersOffset }

    /// The flat range of the final LayerNorm (`ln_f.weight`, `ln_f.bias`).
    public var finalNormRange: Range<Int> { lnfWeightOffset..<totalCount }

    /// Whether AdamW applies weight decay to `tensor`: only 2-D tensors (matmul weights, embeddings).
    public func decays(_ tensor: ParameterTensor) -> Bool { tensor.shape.count == 2 }
}
