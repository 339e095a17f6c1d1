/// The best cell for one compute budget.
public struct FrontierPoint: Sendable, Equatable, Codable {
    /// The budget: the planned C of a flops grid, else the cell's own C.
    public var budget: Double
    /// The winning cell.
    public var cell: String
    /// Its lowest held-out loss.
    public var loss: Double
    /// Its non-embedding parameters.
    public var n: Double
    /// Its tokens.
    public var d: Double
    /// Its training FLOPs.
    public var flops: Double
}

/// The empirical compute-optimal frontier of a sweep's cells.
public enum Frontier {
    /// For a flops grid (every cell has a budget): the lowest-loss cell of each budget. For a
    /// tokens grid: every cell that beats all cells of less or equal compute (the lower envelope
    /// of loss against C), each standing for its own C. Sorted by budget.
    public static func points(_ cells: [CellRecord]) -> [FrontierPoint] {
        if !cells.isEmpty, cells.allSatisfy({ $0.budget != nil }) {
            let budgets = Set(cells.compactMap(\.budget)).sorted()
            return budgets.compactMap { budget in
                cells.filter { $0.budget == budget }.min { ($0.loss, $0.cell) < ($1.loss, $1.cell) }.map { point($0, budget: budget) }
            }
        }
        var best = Double.infinity
        var frontier: [FrontierPoint] = []
        for cell in cells.sorted(by: { ($0.flops, $0.loss, $0.cell) < ($1.flops, $1.loss, $1.cell) }) where cell.loss < best {
            best = cell.loss
            frontier.append(point(cell, budget: cell.flops))
        }
        return frontier
    }

    /// N_opt ∝ C^a and D_opt ∝ C^b through the frontier's points; nil with fewer than 2 budgets.
    public static func exponents(_ points: [FrontierPoint]) -> (size: PowerLaw, data: PowerLaw)? {
        let c = points.map(\.flops)
        guard let size = PowerLaw.fit(x: c, y: points.map(\.n)), let data = PowerLaw.fit(x: c, y: points.map(\.d)) else { return nil }
        return (size, data)
    }

    private static func point(_ cell: CellRecord, budget: Double) -> FrontierPoint {
        FrontierPoint(budget: budget, cell: cell.cell, loss: cell.loss, n: Double(cell.nonEmbeddingParams), d: Double(cell.tokens), flops: cell.flops)
    }
}
