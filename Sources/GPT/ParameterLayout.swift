/// Offsets of one GPT-2 block's tensors relative to the start of that block's range.
struct LayerOffsets: Sendable, Equatable {
    var ln1Weight = 0, ln1Bias = 0, qkvWeight = 0, qkvBias = 0, attnProjWeight = 0, attnProjBias = 0
    var ln2Weight = 0, ln2Bias = 0, fcWeight = 0, fcBias = 0, fcProjWeight = 0, fcProjBias = 0
}

/// Tensors appended one after another into a flat buffer, with overflow-checked offsets; in
/// `counting` mode only the sizes are kept, and layers after the first are counted, not built,
/// so that dimensions from outside can be checked before anything is allocated.
struct TensorList {
    var tensors: [ParameterTensor] = []
    private var next = CheckedOffset()
    /// Whether this list only counts (for `ParameterLayout.checkedCount`).
    let counting: Bool

    init(counting: Bool = false) { self.counting = counting }

    /// Floats so far.
    var offset: Int { next.value }
    /// Whether a size overflowed (only possible while counting: a built layout's sizes were checked).
    var overflowed: Bool { next.overflowed }

    /// Appends a tensor and returns its offset.
    mutating func add(_ name: String, _ shape: [Int], _ role: ParameterRole, _ matrix: MatrixLayout? = nil) -> Int {
        let start = next.take(CheckedSize.product(shape) ?? -1)  // -1: an overflowing shape overflows the offset
        if !counting {
            precondition(!next.overflowed, "parameter sizes overflow; check them with ParameterLayout.checkedCount first")
            tensors.append(ParameterTensor(name: name, shape: shape, offset: start, count: offset - start, role: role, matrixLayout: matrix))
        }
        return start
    }

    /// Adds `count` blocks whose tensors `block(l, &list)` appends, and returns one block's size
    /// (every block has the same tensors). Counting builds the first block only and reserves the
    /// rest, so a huge n_layer costs nothing to check.
    static func addLayers(_ count: Int, into list: inout TensorList, _ block: (Int, inout TensorList) -> Void) -> Int {
        let first = list.offset
        block(0, &list)
        let stride = list.offset - first
        if list.counting {
            _ = list.next.take(max(0, count - 1), stride)
        } else {
            for l in 1..<max(1, count) { block(l, &list) }
            precondition(list.offset == first + count * stride, "blocks of one model must have the same size")
        }
        return stride
    }
}

/// Where the flat ranges of a layout begin; the families fill in the ones they have.
struct LayoutOffsets: Sendable, Equatable {
    var wte = 0, wpe = 0, layers = 0, layerStride = 0, lnfWeight = 0, lnfBias = 0
    /// The head's weights: `wte` when tied, else `lm_head.weight`, the last tensor.
    var head = 0
    var gpt2 = LayerOffsets()
    var llama = LlamaLayerOffsets()
}

/// Where every tensor lives in the one flat parameter buffer.
///
/// GPT-2 order: `wte`, `wpe`, then each block's twelve tensors contiguously, then `ln_f`; the
/// head is tied to `wte`. Llama order (ParameterLayout+Llama.swift): `embed_tokens`, each block's
/// tensors contiguously, `model.norm`, then `lm_head` when untied. Either way a block's parameters
/// (and gradients) form one range that can be all-reduced as a bucket.
public struct ParameterLayout: Sendable, Equatable {
    /// The model dimensions this layout was built for.
    public let config: GPTConfig
    /// All tensors in buffer order.
    public let tensors: [ParameterTensor]
    /// Total number of Float parameters.
    public let totalCount: Int

    private let indexByName: [String: Int]
    let offsets: LayoutOffsets
    var wteOffset: Int { offsets.wte }
    var wpeOffset: Int { offsets.wpe }
    var layer: LayerOffsets { offsets.gpt2 }
    var lnfWeightOffset: Int { offsets.lnfWeight }
    var lnfBiasOffset: Int { offsets.lnfBias }
    /// The output head's (V, C) weights: wte's when tied.
    var headOffset: Int { offsets.head }

    /// Builds the layout for `config`.
    public init(config: GPTConfig) {
        precondition(config.nEmbd % config.nHead == 0, "n_embd must be a multiple of n_head")
        var list = TensorList()
        offsets = Self.build(config, into: &list)
        self.config = config
        tensors = list.tensors
        totalCount = list.offset
        indexByName = Dictionary(uniqueKeysWithValues: list.tensors.enumerated().map { ($1.name, $0) })
    }

    /// Parameters of a model of `config`, counted by the builder that lays the buffer out, or nil
    /// when a dimension is not positive or the count overflows.
    public static func checkedCount(config c: GPTConfig) -> Int? {
        guard c.nEmbd > 0, c.nEmbd <= Int.max / 64, c.nHead > 0, c.nEmbd % c.nHead == 0, c.vocabSize > 0, c.blockSize > 0, c.nLayer > 0,
              let I = c.checkedIntermediateSize, I <= Int.max / 64
        else { return nil }
        var list = TensorList(counting: true)
        _ = build(c, into: &list)
        return list.overflowed ? nil : list.offset
    }

    private static func build(_ config: GPTConfig, into list: inout TensorList) -> LayoutOffsets {
        switch config.family {
        case .gpt2: gpt2(config, into: &list)
        case .llama: llama(config, into: &list)
        }
    }

    /// GPT-2's tensors, Hugging Face GPT2Model names, Conv1D (in, out) weights.
    private static func gpt2(_ config: GPTConfig, into list: inout TensorList) -> LayoutOffsets {
        let C = config.nEmbd, V = config.vocabSize, L = config.nLayer
        var o = LayoutOffsets()
        o.wte = list.add("wte.weight", [V, C], .embedding)
        o.wpe = list.add("wpe.weight", [config.blockSize, C], .embedding)
        o.layers = list.offset
        o.layerStride = TensorList.addLayers(L, into: &list) { l, list in
            let base = list.offset, p = "h.\(l)."
            func add(_ name: String, _ shape: [Int], _ role: ParameterRole) -> Int {
                list.add(p + name, shape, role, shape.count == 2 ? .inputsByOutputs : nil) - base
            }
            o.gpt2.ln1Weight = add("ln_1.weight", [C], .gain)
            o.gpt2.ln1Bias = add("ln_1.bias", [C], .bias)
            o.gpt2.qkvWeight = add("attn.c_attn.weight", [C, 3 * C], .matrix)
            o.gpt2.qkvBias = add("attn.c_attn.bias", [3 * C], .bias)
            o.gpt2.attnProjWeight = add("attn.c_proj.weight", [C, C], .matrix)
            o.gpt2.attnProjBias = add("attn.c_proj.bias", [C], .bias)
            o.gpt2.ln2Weight = add("ln_2.weight", [C], .gain)
            o.gpt2.ln2Bias = add("ln_2.bias", [C], .bias)
            o.gpt2.fcWeight = add("mlp.c_fc.weight", [C, 4 * C], .matrix)
            o.gpt2.fcBias = add("mlp.c_fc.bias", [4 * C], .bias)
            o.gpt2.fcProjWeight = add("mlp.c_proj.weight", [4 * C, C], .matrix)
            o.gpt2.fcProjBias = add("mlp.c_proj.bias", [C], .bias)
        }
        o.lnfWeight = list.add("ln_f.weight", [C], .gain)
        o.lnfBias = list.add("ln_f.bias", [C], .bias)
        o.head = o.wte
        return o
    }

    /// The tensor with Hugging Face name `name`, or nil if there is none.
    public func tensor(named name: String) -> ParameterTensor? {
        indexByName[name].map { tensors[$0] }
    }

    /// The flat range holding every parameter of block `layer`.
    public func layerRange(_ layer: Int) -> Range<Int> {
        precondition(layer >= 0 && layer < config.nLayer)
        let start = offsets.layers + layer * offsets.layerStride
        return start..<(start + offsets.layerStride)
    }

    /// The flat range of the embeddings: GPT-2's `wte` and `wpe`, Llama's `embed_tokens`.
    public var embeddingRange: Range<Int> { offsets.wte..<offsets.layers }

    /// The flat range of the final norm: GPT-2's `ln_f.weight`, `ln_f.bias`; Llama's `model.norm.weight`.
    public var finalNormRange: Range<Int> { offsets.lnfWeight..<(headRange?.lowerBound ?? totalCount) }

    /// The flat range of the untied head, `lm_head.weight` (the last tensor); nil when the head
    /// is the token embedding (inside `embeddingRange`).
    public var headRange: Range<Int>? {
        offsets.head == offsets.wte ? nil : offsets.head..<totalCount
    }

    /// Whether AdamW applies weight decay to `tensor`: only 2-D tensors (matmul weights, embeddings).
    public func decays(_ tensor: ParameterTensor) -> Bool { tensor.shape.count == 2 }
}
