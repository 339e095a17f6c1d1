/// One weight matrix that Muon updates: where it lies in the flat parameter buffer, how it is
/// stored there, and which matrix the math sees.
///
/// The math matrix is the linear map's (out, in) matrix, torch's nn.Linear weight. GPT-2 stores
/// it in Conv1D layout, (in, out), its transpose: `transposed` says so. Orthogonalization does not
/// care (NS(Xᵀ) = NS(X)ᵀ), but the learning-rate scale √max(1, out/in) does.
public struct MuonMatrix: Sendable, Equatable, Hashable {
    /// The tensor's name (Hugging Face's), for messages and checkpoints.
    public let name: String
    /// Index of the first element in the flat parameter buffer.
    public let offset: Int
    /// Rows of the matrix as stored (row-major) in the flat buffer.
    public let rows: Int
    /// Columns of the matrix as stored.
    public let columns: Int
    /// Whether the stored matrix is the transpose of the math (out, in) matrix.
    public let transposed: Bool

    /// Creates a matrix of `rows` × `columns` stored row-major from `offset`.
    public init(name: String, offset: Int, rows: Int, columns: Int, transposed: Bool) {
        precondition(rows > 0 && columns > 0, "a Muon matrix has no empty dimension")
        self.name = name
        self.offset = offset
        self.rows = rows
        self.columns = columns
        self.transposed = transposed
    }

    /// Number of elements.
    public var count: Int { rows * columns }

    /// The matrix's elements as a range of the flat buffer.
    public var range: Range<Int> { offset..<(offset + count) }

    /// Rows of the math matrix (out: torch's `param.shape[0]`).
    public var mathRows: Int { transposed ? columns : rows }

    /// Columns of the math matrix (in: torch's `param.shape[1]`).
    public var mathColumns: Int { transposed ? rows : columns }

    /// torch.optim.Muon's default ("original") adjustment: lr × √max(1, out/in) of the math matrix.
    public var learningRateScale: Double { max(1, Double(mathRows) / Double(mathColumns)).squareRoot() }

    /// Whether Newton–Schulz runs on the stored matrix's transpose. torch works on the math matrix,
    /// transposed when it has more rows than columns; this is that same (wide) matrix.
    var orthogonalizesTranspose: Bool { transposed != (mathRows > mathColumns) }

    /// Multiply-adds ×2 of `iterations` quintic Newton–Schulz steps on the m × n (m ≤ n) matrix:
    /// X·Xᵀ (2m²n), A·A (2m³), B·X (2m²n) each step. The cost that ranks share.
    public func newtonSchulzFlops(iterations: Int = 5) -> Int {
        let m = min(rows, columns), n = max(rows, columns)
        return iterations * (4 * m * m * n + 2 * m * m * m)
    }
}

extension ParameterLayout {
    /// GPT-2's hidden matrices, the ones Muon takes, by name suffix within each block. They are
    /// Conv1D (in, out) in storage. Embeddings, gains and biases stay with AdamW.
    public static let gpt2MuonSuffixes = ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"]

    /// The matrices Muon updates in this model, in buffer order: every 2-D hidden weight of the
    /// blocks (role `.matrix`; GPT-2: c_attn, attn.c_proj, c_fc, mlp.c_proj, stored (in, out);
    /// Llama: q/k/v/o_proj, gate/up/down_proj, stored (out, in)); not embeddings, the head, gains
    /// or biases.
    public var muonMatrices: [MuonMatrix] {
        tensors.filter { $0.role == .matrix && $0.shape.count == 2 }.map { t in
            MuonMatrix(name: t.name, offset: t.offset, rows: t.shape[0], columns: t.shape[1], transposed: t.matrixLayout == .inputsByOutputs)
        }
    }

    /// The 2-D tensors whose names end in one of `suffixes`, in buffer order; `storedTransposed`
    /// says whether they are kept as (in, out), the transpose of nn.Linear. A family whose blocks
    /// name their projections differently (Llama: q/k/v/o_proj, gate/up/down_proj) passes its own.
    public func muonMatrices(suffixes: [String], storedTransposed: Bool) -> [MuonMatrix] {
        tensors.filter { t in
            t.shape.count == 2 && suffixes.contains { t.name.hasSuffix($0) }
        }.map { t in
            MuonMatrix(name: t.name, offset: t.offset, rows: t.shape[0], columns: t.shape[1], transposed: storedTransposed)
        }
    }
}
