/// The starting points of a multi-start fit: every combination of the listed values.
public struct InitializationGrid: Sendable, Equatable {
    /// Starting values of log A.
    public var a: [Double]
    /// Starting values of log B.
    public var b: [Double]
    /// Starting values of log E.
    public var e: [Double]
    /// Starting values of α.
    public var alpha: [Double]
    /// Starting values of β.
    public var beta: [Double]

    /// A grid from its per-parameter values.
    public init(a: [Double], b: [Double], e: [Double], alpha: [Double], beta: [Double]) {
        self.a = a
        self.b = b
        self.e = e
        self.alpha = alpha
        self.beta = beta
    }

    /// Hoffmann et al. (2022)'s grid, 4500 starts: α, β ∈ {0, 0.5, …, 2}, e ∈ {-1, -0.5, …, 1},
    /// a, b ∈ {0, 5, …, 25}.
    public static let hoffmann = InitializationGrid(
        a: stride(from: 0.0, through: 25, by: 5).map { $0 }, b: stride(from: 0.0, through: 25, by: 5).map { $0 },
        e: stride(from: -1.0, through: 1, by: 0.5).map { $0 },
        alpha: stride(from: 0.0, through: 2, by: 0.5).map { $0 }, beta: stride(from: 0.0, through: 2, by: 0.5).map { $0 })

    /// Every combination, in a fixed order (a outermost, β innermost).
    public var starts: [ScalingLaw] {
        var all: [ScalingLaw] = []
        all.reserveCapacity(count)
        for a in a { for b in b { for e in e { for alpha in alpha { for beta in beta {
            all.append(ScalingLaw(a: a, b: b, e: e, alpha: alpha, beta: beta))
        } } } } }
        return all
    }

    /// Number of starting points.
    public var count: Int { a.count * b.count * e.count * alpha.count * beta.count }
}
