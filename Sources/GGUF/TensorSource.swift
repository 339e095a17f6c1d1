/// Where an export reads a model's tensors, by their Hugging Face names.
public protocol TensorSource {
    /// The row-major shape of tensor `name`, or nil if the model has none of that name.
    func shape(of name: String) -> [Int]?
    /// The elements of tensor `name` in row-major order.
    func values(of name: String) throws -> [Float]
}

/// Tensors held in memory by name (tests, and models read from a safetensors file).
public struct TensorDictionary: TensorSource {
    /// Shape and elements of each tensor.
    public var tensors: [String: (shape: [Int], values: [Float])]

    /// A source holding `tensors`.
    public init(_ tensors: [String: (shape: [Int], values: [Float])]) { self.tensors = tensors }

    /// The shape of `name`, if present.
    public func shape(of name: String) -> [Int]? { tensors[name]?.shape }

    /// The elements of `name`; an error names a missing tensor.
    public func values(of name: String) throws -> [Float] {
        guard let t = tensors[name] else { throw GGUFError("the model has no tensor \(name)") }
        return t.values
    }
}

/// One tensor of the output mapped from one tensor of the source.
struct MappedTensor {
    /// The source's (Hugging Face) name.
    let source: String
    /// llama.cpp's name.
    let target: String
    /// How the source's elements become the target's.
    let transform: Transform
    /// Kept F32 whatever the requested type (llama.cpp's position embeddings).
    var keepF32 = false

    /// The rearrangements llama.cpp's converter applies.
    enum Transform {
        /// Stored as it is.
        case none
        /// A 2-D (rows, cols) matrix stored as (cols, rows): GPT-2's Conv1D weights.
        case transpose
        /// Rows permuted for llama.cpp's rotary layout (`LlamaModel.permute`), `heads` heads.
        case ropePermute(heads: Int)
    }
}
