/// One finished cell: a line of the sweep's `sweep.jsonl`.
public struct CellRecord: Sendable, Equatable, Codable {
    /// The cell's directory name under the sweep's directory.
    public var cell: String
    /// Transformer blocks.
    public var depth: Int
    /// Residual width.
    public var width: Int
    /// Attention heads.
    public var heads: Int
    /// Non-embedding parameters N (Kaplan et al. 2020): all but the token and position embeddings.
    public var nonEmbeddingParams: Int
    /// Tokens trained on, D.
    public var tokens: Int
    /// Optimizer steps.
    public var steps: Int
    /// Training FLOPs per token: the model's own count (forward and backward).
    public var flopsPerToken: Double
    /// Training FLOPs C = flops_per_token × D.
    public var flops: Double
    /// The compute budget the cell was planned for (flops grids only).
    public var budget: Double?
    /// Whether this is the held-out cell (not used by the fit).
    public var heldOut: Bool
    /// Final held-out loss (nats per token) on the sweep's shared validation tokens.
    public var loss: Double
    /// The same loss in bits per byte of text.
    public var bitsPerByte: Double
    /// Wall-clock seconds of training (summed over resumed segments).
    public var wallSeconds: Double
    /// Training tokens per second.
    public var tokensPerSecond: Double

    /// A record from a planned cell and its measurements.
    public init(_ cell: PlannedCell, loss: Double, bitsPerByte: Double, wallSeconds: Double, tokensPerSecond: Double) {
        self.cell = cell.name
        depth = cell.depth
        width = cell.width
        heads = cell.heads
        nonEmbeddingParams = cell.counts.nonEmbeddingParams
        tokens = cell.tokens
        steps = cell.steps
        flopsPerToken = cell.counts.flopsPerToken
        flops = cell.flops
        budget = cell.budget
        heldOut = cell.heldOut
        self.loss = loss
        self.bitsPerByte = bitsPerByte
        self.wallSeconds = wallSeconds
        self.tokensPerSecond = tokensPerSecond
    }

    /// The record as a point for the fit.
    public var point: ScalingPoint { ScalingPoint(n: Double(nonEmbeddingParams), d: Double(tokens), loss: loss) }

    enum CodingKeys: String, CodingKey {
        case cell, depth, width, heads, nonEmbeddingParams = "non_embedding_params", tokens, steps
        case flopsPerToken = "flops_per_token", flops, budget, heldOut = "held_out", loss, bitsPerByte = "bits_per_byte"
        case wallSeconds = "wall_s", tokensPerSecond = "tokens_per_s"
    }
}
