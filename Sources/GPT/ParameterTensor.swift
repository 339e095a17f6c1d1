/// One named tensor inside the flat parameter buffer.
public struct ParameterTensor: Sendable, Equatable, Hashable {
    /// Hugging Face name as transformers' state_dict spells it: GPT-2's `h.0.attn.c_attn.weight`,
    /// Llama's `model.layers.0.self_attn.q_proj.weight`.
    public let name: String
    /// Shape as stored, which is Hugging Face's: GPT-2's Conv1D weights are (in, out), Llama's
    /// nn.Linear weights (out, in); `matrixLayout` says which.
    public let shape: [Int]
    /// Index of the first element in the flat buffer.
    public let offset: Int
    /// Number of elements (product of `shape`).
    public let count: Int
    /// What the tensor is for (optimizers treat embeddings, the head, hidden matrices, gains and
    /// biases differently).
    public let role: ParameterRole
    /// For the weight of a linear map (`role` `.matrix` or `.head`): how it is stored relative to
    /// y = x·W; nil for embeddings and vectors.
    public let matrixLayout: MatrixLayout?

    /// The tensor's elements as a range of the flat buffer.
    public var range: Range<Int> { offset..<(offset + count) }

    /// The linear map's (inputs, outputs) whatever the storage; nil when not a linear weight.
    /// torch's nn.Linear weight, the matrix Muon orthogonalizes, is (outputs, inputs).
    public var mathShape: (inputs: Int, outputs: Int)? {
        switch matrixLayout {
        case .inputsByOutputs: (shape[0], shape[1])
        case .outputsByInputs: (shape[1], shape[0])
        case nil: nil
        }
    }
}

/// The part a parameter tensor plays in the model.
public enum ParameterRole: Sendable, Equatable, Hashable {
    /// A lookup table: the token embedding (also the head when tied) or GPT-2's positions.
    case embedding
    /// The untied output head, `lm_head.weight` (V, C).
    case head
    /// A 2-D weight inside a block (attention and MLP projections).
    case matrix
    /// A norm's per-channel gain (LayerNorm or RMSNorm weight).
    case gain
    /// A bias vector (GPT-2 only; also LayerNorm's bias).
    case bias
}

/// How a linear weight is stored relative to y = x·W.
public enum MatrixLayout: Sendable, Equatable, Hashable {
    /// (in, out): y = x·W, GPT-2's Conv1D.
    case inputsByOutputs
    /// (out, in): y = x·Wᵀ, torch's nn.Linear (Llama, and the untied head).
    case outputsByInputs
}
