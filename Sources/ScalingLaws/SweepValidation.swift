extension SweepSpec {
    /// The most bootstrap resamples a sweep may ask for: each keeps a refit law, and 10^4 already
    /// puts the intervals' percentiles well below their sampling noise.
    public static let maximumBootstrap = 10_000
    /// The most shapes, and the most budgets, in a grid: each cell is a training run.
    public static let maximumGridSide = 100
    /// The deepest shape a sweep may name (n_layer).
    public static let maximumDepth = 1024
    /// The widest shape (and head size) a sweep may name (n_embd); keeps 12·depth·width² in range.
    public static let maximumWidth = 65_536
    /// The largest token budget: more tokens than a 64-bit count of a realistic run holds.
    public static let maximumTokens = 1e18
    /// The largest compute budget, in FLOPs.
    public static let maximumFlops = 1e30

    /// The grid's budget kind and values: token budgets or compute budgets.
    public enum Budgets: Sendable, Equatable {
        /// Tokens (D) per cell.
        case tokens([Double])
        /// FLOPs (C) per cell.
        case flops([Double])
    }

    /// The grid's budgets (`tokens` or `flops`, whichever the file gives).
    public var budgets: Budgets { flops.map(Budgets.flops) ?? .tokens(tokens ?? []) }

    /// The attention heads of `shape`: its own `heads`, else width / head_size.
    public func heads(of shape: ModelShape) -> Int { shape.heads ?? shape.width / max(1, headSize) }

    /// Throws the first problem, naming the field and the fix.
    public func validate(source: String) throws(SweepFileError) {
        func fail(_ message: String) -> SweepFileError { SweepFileError(source, message) }
        guard !base.isEmpty else { throw fail("`base` is empty; name the training config every cell starts from, e.g. configs/gpt-small.json") }
        guard !dir.isEmpty else { throw fail("`dir` is empty; name a folder for the sweep, e.g. checkpoints/sweep-shakespeare") }
        guard headSize > 0, headSize <= Self.maximumWidth else {
            throw fail("`head_size` is \(headSize); it must be a positive width of at most \(Self.maximumWidth), such as 32 or 64")
        }
        guard shapes.count <= Self.maximumGridSide else {
            throw fail("`shapes` has \(shapes.count) shapes; list at most \(Self.maximumGridSide) (every cell is a training run)")
        }
        guard shapes.count >= 2 else {
            throw fail("`shapes` has \(shapes.count) shape(s); list at least 2, e.g. [{\"depth\": 2, \"width\": 64}, {\"depth\": 4, \"width\": 128}]")
        }
        for (i, shape) in shapes.enumerated() { try check(shape, field: "shapes[\(i)]", source: source) }
        let resolved = shapes.map { ModelShape(depth: $0.depth, width: $0.width, heads: heads(of: $0)) }
        if let i = resolved.indices.first(where: { resolved[..<$0].contains(resolved[$0]) }) {
            throw fail("`shapes[\(i)]` repeats an earlier shape; list each shape once")
        }
        let values = try checkBudgets(source: source)
        guard shapes.count * values.count >= 6 else {
            throw fail("the grid has \(shapes.count * values.count) cells; the law has 5 parameters, so use at least 6 (e.g. 3 shapes × 2 budgets)")
        }
        if let heldOut { try check(heldOut, source: source) }
        guard warmupFraction >= 0, warmupFraction < 1 else {
            throw fail("`warmup_fraction` is \(warmupFraction); it must be at least 0 and below 1, e.g. 0.05")
        }
        guard bootstrap == 0 || (10...Self.maximumBootstrap).contains(bootstrap) else {
            throw fail("`bootstrap` is \(bootstrap); use 0 (no intervals) or 10 to \(Self.maximumBootstrap) resamples, e.g. 200")
        }
        guard confidence > 0, confidence < 1 else { throw fail("`confidence` is \(confidence); it must be above 0 and below 1, e.g. 0.95") }
    }

    private func check(_ shape: ModelShape, field: String, source: String) throws(SweepFileError) {
        guard (1...Self.maximumDepth).contains(shape.depth) else {
            throw SweepFileError(source, "`\(field).depth` is \(shape.depth); it must be 1 to \(Self.maximumDepth)")
        }
        guard (1...Self.maximumWidth).contains(shape.width) else {
            throw SweepFileError(source, "`\(field).width` is \(shape.width); it must be 1 to \(Self.maximumWidth)")
        }
        if let heads = shape.heads {
            guard (1...shape.width).contains(heads) else {
                throw SweepFileError(source, "`\(field).heads` is \(heads); it must be 1 to the shape's width \(shape.width)")
            }
            guard shape.width % heads == 0 else {
                throw SweepFileError(source, "`\(field)`: width \(shape.width) is not divisible by its \(heads) heads; choose a width that is a multiple of heads")
            }
        } else if shape.width % headSize != 0 {
            throw SweepFileError(source, "`\(field)`: width \(shape.width) is not divisible by head_size \(headSize), so its heads cannot be derived; use a multiple of \(headSize) or give `heads`")
        }
    }

    private func checkBudgets(source: String) throws(SweepFileError) -> [Double] {
        let name: String, values: [Double]
        switch (tokens, flops) {
        case (.some, .some): throw SweepFileError(source, "give either `tokens` or `flops` as the grid's budgets, not both")
        case (nil, nil): throw SweepFileError(source, "missing the grid's budgets; give `tokens` (e.g. [1e6, 2e6, 4e6]) or `flops` (e.g. [1e13, 3e13])")
        case (let t?, nil): (name, values) = ("tokens", t)
        case (nil, let f?): (name, values) = ("flops", f)
        }
        guard !values.isEmpty else { throw SweepFileError(source, "`\(name)` is empty; list at least 2 budgets") }
        guard values.count <= Self.maximumGridSide else {
            throw SweepFileError(source, "`\(name)` has \(values.count) budgets; list at most \(Self.maximumGridSide) (every cell is a training run)")
        }
        let largest = name == "tokens" ? Self.maximumTokens : Self.maximumFlops
        for (i, v) in values.enumerated() where !(v.isFinite && v > 0 && v <= largest) {
            throw SweepFileError(source, "`\(name)[\(i)]` is \(v); a budget must be a positive number of at most \(scientific(largest)); check its exponent")
        }
        guard values.count >= 2 else { throw SweepFileError(source, "`\(name)` has 1 budget; list at least 2 so that the fit can separate size from data") }
        if let i = values.indices.first(where: { values[..<$0].contains(values[$0]) }) {
            throw SweepFileError(source, "`\(name)[\(i)]` repeats an earlier budget; list each budget once")
        }
        return values
    }

    private func check(_ cell: HeldOutCell, source: String) throws(SweepFileError) {
        try check(cell.shape, field: "held_out", source: source)
        let kind = flops == nil ? "tokens" : "flops"
        let value = flops == nil ? cell.tokens : cell.flops
        guard (flops == nil ? cell.flops : cell.tokens) == nil, let value else {
            throw SweepFileError(source, "`held_out` must give `\(kind)`, the same kind of budget as the grid, and not the other kind")
        }
        let largest = kind == "tokens" ? Self.maximumTokens : Self.maximumFlops
        guard value.isFinite, value > 0, value <= largest else {
            throw SweepFileError(source, "`held_out.\(kind)` is \(value); it must be a positive number of at most \(scientific(largest)); check its exponent")
        }
    }
}
