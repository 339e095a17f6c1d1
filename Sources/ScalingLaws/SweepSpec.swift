/// A sweep file (`trainer sweep SWEEP.json`): a base training config, a grid of model shapes ×
/// budgets, and optionally a larger held-out cell whose loss the fit must predict.
///
/// Decoded strictly by `SweepFile` (unknown keys are errors) and checked by `validate(source:)`.
public struct SweepSpec: Sendable, Equatable, Codable {
    /// The training config every cell starts from (a path relative to the working directory);
    /// each cell replaces its model depth, width and heads, schedule length and checkpoint dir.
    public var base: String
    /// Overrides applied to the base config for every cell, in `--set` form (`training.lr=3e-3`).
    public var set: [String] = []
    /// The sweep's directory: one subdirectory per cell, plus sweep.jsonl, fit.json and the SVGs.
    public var dir: String
    /// Width of one attention head; a shape's heads are width / head_size unless it names `heads`.
    public var headSize = 64
    /// The model shapes of the grid.
    public var shapes: [ModelShape]
    /// Token budgets (D) of the grid; give either these or `flops`.
    public var tokens: [Double]?
    /// Compute budgets (C, in FLOPs) of the grid: each cell trains on C / (its FLOPs per token) tokens.
    public var flops: [Double]?
    /// A cell bigger than every grid cell, predicted from the fit before it is trained.
    public var heldOut: HeldOutCell?
    /// Share of each cell's steps spent in linear warmup before the cosine decay.
    public var warmupFraction = 0.05
    /// Bootstrap resamples of the grid's cells for the confidence intervals (0: none).
    public var bootstrap = 200
    /// Seeds the bootstrap resampling.
    public var seed: UInt64 = 0
    /// Coverage of the confidence intervals.
    public var confidence = 0.95

    /// A spec with the required fields and every default.
    public init(base: String, dir: String, shapes: [ModelShape], tokens: [Double]? = nil, flops: [Double]? = nil) {
        self.base = base
        self.dir = dir
        self.shapes = shapes
        self.tokens = tokens
        self.flops = flops
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case base, set, dir, headSize = "head_size", shapes, tokens, flops, heldOut = "held_out"
        case warmupFraction = "warmup_fraction", bootstrap, seed, confidence
    }

    /// Decodes the file's fields; absent optional fields keep their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        base = try c.decode(String.self, forKey: .base)
        dir = try c.decode(String.self, forKey: .dir)
        shapes = try c.decode([ModelShape].self, forKey: .shapes)
        tokens = try c.decodeIfPresent([Double].self, forKey: .tokens)
        flops = try c.decodeIfPresent([Double].self, forKey: .flops)
        heldOut = try c.decodeIfPresent(HeldOutCell.self, forKey: .heldOut)
        set = try c.decodeIfPresent([String].self, forKey: .set) ?? set
        headSize = try c.decodeIfPresent(Int.self, forKey: .headSize) ?? headSize
        warmupFraction = try c.decodeIfPresent(Double.self, forKey: .warmupFraction) ?? warmupFraction
        bootstrap = try c.decodeIfPresent(Int.self, forKey: .bootstrap) ?? bootstrap
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
        confidence = try c.decodeIfPresent(Double.self, forKey: .confidence) ?? confidence
    }
}

/// A model shape: depth and width; heads derived from the sweep's head_size unless given.
public struct ModelShape: Sendable, Equatable, Hashable, Codable {
    /// Transformer blocks (n_layer).
    public var depth: Int
    /// Residual width (n_embd).
    public var width: Int
    /// Attention heads (n_head); nil: width / head_size.
    public var heads: Int?

    /// A shape; `heads` nil derives them from the sweep's head_size.
    public init(depth: Int, width: Int, heads: Int? = nil) {
        self.depth = depth
        self.width = width
        self.heads = heads
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case depth, width, heads }
}

/// The held-out cell: a shape and one budget (tokens or FLOPs, the same kind as the grid's).
public struct HeldOutCell: Sendable, Equatable, Codable {
    /// Transformer blocks.
    public var depth: Int
    /// Residual width.
    public var width: Int
    /// Attention heads; nil: width / head_size.
    public var heads: Int?
    /// Token budget (with a `tokens` grid).
    public var tokens: Double?
    /// Compute budget in FLOPs (with a `flops` grid).
    public var flops: Double?

    /// A held-out cell of the given shape and budget.
    public init(depth: Int, width: Int, heads: Int? = nil, tokens: Double? = nil, flops: Double? = nil) {
        self.depth = depth
        self.width = width
        self.heads = heads
        self.tokens = tokens
        self.flops = flops
    }

    /// Its shape.
    public var shape: ModelShape { ModelShape(depth: depth, width: width, heads: heads) }

    enum CodingKeys: String, CodingKey, CaseIterable { case depth, width, heads, tokens, flops }
}
