/// Limited-memory BFGS (Nocedal & Wright, *Numerical Optimization*, 2nd ed., algorithm 7.5, with
/// the two-loop recursion of algorithm 7.4) over a strong-Wolfe line search.
///
/// Convergence is judged relative to the objective's own scale, not against 1: the Huber loss on
/// log-loss with δ = 1e-3 is of order 1e-4, and an absolute test would stop far from the
/// optimum (the early stopping Besiroglu et al. 2024 found in the original Chinchilla fit).
public struct LBFGS: Sendable {
    /// Correction pairs kept (m).
    public var memory = 10
    /// Iterations allowed.
    public var maxIterations = 2000
    /// Stop when ‖∇f‖∞ is at most this.
    public var gradientTolerance = 1e-12
    /// Stop when an iteration lowers f by at most this fraction of |f|.
    public var relativeDecrease = 1e-13

    /// Why the minimizer stopped.
    public enum Stop: String, Sendable, Codable {
        case gradient, decrease, lineSearch, iterations, nonFinite
    }

    /// The best point found.
    public struct Result: Sendable {
        /// The minimizer's estimate of argmin f.
        public var x: [Double]
        /// f at `x`.
        public var value: Double
        /// ∇f at `x`.
        public var gradient: [Double]
        /// Iterations taken.
        public var iterations: Int
        /// Why it stopped.
        public var stop: Stop
    }

    public init() {}

    /// Minimizes `objective` from `start`.
    public func minimize(from start: [Double], _ objective: Objective) -> Result {
        var g = [Double](repeating: 0, count: start.count)
        let f0 = objective(start, &g)
        var point = LineSearchPoint(step: 0, x: start, value: f0, gradient: g)
        guard f0.isFinite, g.allSatisfy(\.isFinite) else {
            return Result(x: start, value: f0, gradient: g, iterations: 0, stop: .nonFinite)
        }
        var pairs: [(s: [Double], y: [Double], rho: Double)] = []
        let search = WolfeLineSearch()
        for iteration in 0..<maxIterations {
            if maxNorm(point.gradient) <= gradientTolerance {
                return Result(x: point.x, value: point.value, gradient: point.gradient, iterations: iteration, stop: .gradient)
            }
            var direction = Self.direction(gradient: point.gradient, pairs: pairs)
            if dot(direction, point.gradient) >= 0 {
                pairs.removeAll()
                direction = point.gradient.map { -$0 }
            }
            // Without curvature pairs the direction is -g, of arbitrary scale: try a unit step.
            let initial = pairs.isEmpty ? 1 / max(dot(direction, direction).squareRoot(), 1e-300) : 1
            guard let next = search.search(from: point, direction: direction, initialStep: initial, objective: objective) else {
                if !pairs.isEmpty { pairs.removeAll(); continue }
                return Result(x: point.x, value: point.value, gradient: point.gradient, iterations: iteration, stop: .lineSearch)
            }
            let s = zip(next.x, point.x).map { $0 - $1 }
            let y = zip(next.gradient, point.gradient).map { $0 - $1 }
            let sy = dot(s, y)
            // Skip pairs without positive curvature so that the inverse Hessian stays positive definite.
            if sy > 1e-12 * dot(y, y).squareRoot() * dot(s, s).squareRoot() {
                pairs.append((s, y, 1 / sy))
                if pairs.count > memory { pairs.removeFirst() }
            }
            let decrease = point.value - next.value
            point = next
            if decrease <= relativeDecrease * max(abs(point.value), 1e-300) {
                return Result(x: point.x, value: point.value, gradient: point.gradient, iterations: iteration + 1, stop: .decrease)
            }
        }
        return Result(x: point.x, value: point.value, gradient: point.gradient, iterations: maxIterations, stop: .iterations)
    }

    // -H·g by the two-loop recursion, H₀ = γI with γ = sᵀy / yᵀy of the newest pair.
    private static func direction(gradient: [Double], pairs: [(s: [Double], y: [Double], rho: Double)]) -> [Double] {
        var q = gradient
        var alphas = [Double](repeating: 0, count: pairs.count)
        for i in pairs.indices.reversed() {
            alphas[i] = pairs[i].rho * dot(pairs[i].s, q)
            for k in q.indices { q[k] -= alphas[i] * pairs[i].y[k] }
        }
        if let last = pairs.last {
            let gamma = dot(last.s, last.y) / dot(last.y, last.y)
            for k in q.indices { q[k] *= gamma }
        }
        for i in pairs.indices {
            let beta = pairs[i].rho * dot(pairs[i].y, q)
            for k in q.indices { q[k] += pairs[i].s[k] * (alphas[i] - beta) }
        }
        return q.map { -$0 }
    }

    private func maxNorm(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
}
