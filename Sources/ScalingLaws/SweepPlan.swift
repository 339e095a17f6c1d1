import Foundation

/// What the fit needs to know about a model shape, counted by the caller (the model lives in
/// another module): Kaplan et al.'s N and the training FLOPs per token.
public struct ModelCounts: Sendable, Equatable {
    /// Non-embedding parameters N: everything but the token and position embeddings.
    public var nonEmbeddingParams: Int
    /// Training FLOPs per token (forward and backward), the model's own count.
    public var flopsPerToken: Double

    /// Counts for one shape.
    public init(nonEmbeddingParams: Int, flopsPerToken: Double) {
        self.nonEmbeddingParams = nonEmbeddingParams
        self.flopsPerToken = flopsPerToken
    }
}

/// One run of the sweep: a shape, its step count and schedule, and its N, D and C.
public struct PlannedCell: Sendable, Equatable {
    /// Directory name under the sweep's directory, e.g. `L2-W64-H2-D131072`.
    public var name: String
    /// Transformer blocks.
    public var depth: Int
    /// Residual width.
    public var width: Int
    /// Attention heads.
    public var heads: Int
    /// Optimizer steps (max_steps of the cell's config).
    public var steps: Int
    /// Warmup steps before the cosine decay over the remaining steps.
    public var warmupSteps: Int
    /// Tokens trained on: steps × batch tokens.
    public var tokens: Int
    /// The model's counts.
    public var counts: ModelCounts
    /// The compute budget the cell was planned for (flops grids only).
    public var budget: Double?
    /// Whether this is the held-out cell.
    public var heldOut: Bool

    /// Training FLOPs C = FLOPs per token × D.
    public var flops: Double { counts.flopsPerToken * Double(tokens) }

    /// A cell from all its fields.
    public init(name: String, depth: Int, width: Int, heads: Int, steps: Int, warmupSteps: Int, tokens: Int,
                counts: ModelCounts, budget: Double?, heldOut: Bool) {
        self.name = name
        self.depth = depth
        self.width = width
        self.heads = heads
        self.steps = steps
        self.warmupSteps = warmupSteps
        self.tokens = tokens
        self.counts = counts
        self.budget = budget
        self.heldOut = heldOut
    }
}

/// The cells of a sweep, in the order they run: grid cells by increasing compute, then the held-out cell.
public struct SweepPlan: Sendable, Equatable {
    /// The grid's cells.
    public var grid: [PlannedCell]
    /// The held-out cell, if the sweep names one.
    public var heldOut: PlannedCell?

    /// A cosine schedule over fewer steps is mostly warmup and noise.
    public static let minimumSteps = 10

    /// Plans `spec` for steps of `batchTokens` tokens; `counts` gives N and FLOPs per token of a
    /// (depth, width, heads). `source` names the sweep file in errors.
    public init(spec: SweepSpec, batchTokens: Int, source: String, counts: (_ depth: Int, _ width: Int, _ heads: Int) -> ModelCounts) throws(SweepFileError) {
        func cell(_ shape: ModelShape, field: String, tokens: Double?, flops: Double?, heldOut: Bool) throws(SweepFileError) -> PlannedCell {
            let heads = spec.heads(of: shape)
            let counts = counts(shape.depth, shape.width, heads)
            let wanted = tokens ?? (flops ?? 0) / counts.flopsPerToken
            let exactSteps = (wanted / Double(batchTokens)).rounded()
            // A budget beyond a million times a billion steps is a typo, and would not fit an Int.
            guard exactSteps.isFinite, exactSteps < 1e15 else {
                throw SweepFileError(source, "`\(field)` gives depth \(shape.depth), width \(shape.width) \(scientific(exactSteps)) steps; check the budget's exponent")
            }
            let steps = Int(exactSteps)
            guard steps >= Self.minimumSteps else {
                throw SweepFileError(source, "`\(field)` gives depth \(shape.depth), width \(shape.width) only \(steps) steps of \(batchTokens) tokens; raise the budget to at least \(Self.minimumSteps) steps")
            }
            let (total, overflow) = steps.multipliedReportingOverflow(by: batchTokens)
            guard !overflow else {
                throw SweepFileError(source, "`\(field)` gives depth \(shape.depth), width \(shape.width) \(steps) steps of \(batchTokens) tokens, more tokens than a 64-bit count holds; check the budget's exponent")
            }
            let prefix = heldOut ? "heldout-" : ""
            return PlannedCell(
                name: "\(prefix)L\(shape.depth)-W\(shape.width)-H\(heads)-D\(total)", depth: shape.depth, width: shape.width, heads: heads,
                steps: steps, warmupSteps: Int((spec.warmupFraction * Double(steps)).rounded()), tokens: total,
                counts: counts, budget: flops, heldOut: heldOut)
        }
        var grid: [PlannedCell] = []
        for shape in spec.shapes {
            switch spec.budgets {
            case .tokens(let values):
                for (i, v) in values.enumerated() { grid.append(try cell(shape, field: "tokens[\(i)]", tokens: v, flops: nil, heldOut: false)) }
            case .flops(let values):
                for (i, v) in values.enumerated() { grid.append(try cell(shape, field: "flops[\(i)]", tokens: nil, flops: v, heldOut: false)) }
            }
        }
        self.grid = grid.sorted { ($0.flops, $0.name) < ($1.flops, $1.name) }
        if let names = Self.repeatedName(self.grid) {
            throw SweepFileError(source, "two cells round to the same run \(names); space the budgets further apart")
        }
        guard let h = spec.heldOut else { heldOut = nil; return }
        let planned = try cell(h.shape, field: "held_out", tokens: h.tokens, flops: h.flops, heldOut: true)
        let largestN = grid.map(\.counts.nonEmbeddingParams).max() ?? 0
        let largestC = grid.map(\.flops).max() ?? 0
        guard planned.counts.nonEmbeddingParams > largestN, planned.flops > largestC else {
            throw SweepFileError(source, "`held_out` (N = \(planned.counts.nonEmbeddingParams), C = \(scientific(planned.flops))) must be bigger than every grid cell (largest N = \(largestN), largest C = \(scientific(largestC))) in both parameters and compute")
        }
        heldOut = planned
    }

    /// Every cell in run order.
    public var cells: [PlannedCell] { grid + (heldOut.map { [$0] } ?? []) }

    private static func repeatedName(_ cells: [PlannedCell]) -> String? {
        var seen = Set<String>()
        for c in cells where !seen.insert(c.name).inserted { return c.name }
        return nil
    }
}

/// `x` with three significant digits, e.g. 1.25e+13.
func scientific(_ x: Double) -> String { String(format: "%.3g", x) }
