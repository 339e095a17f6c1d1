import Foundation

/// Hoffmann et al. (2022)'s approach 3: fit L(N, D) = E + A/N^α + B/D^β by minimizing
/// Σ Huber_δ(LSE(a − α log N, b − β log D, e) − log L) over the runs with L-BFGS, from every
/// point of a grid of initializations, keeping the lowest objective.
public struct ChinchillaFit: Sendable {
    /// Huber's δ on log-loss residuals (Hoffmann et al.: 1e-3).
    public var huberDelta = 1e-3
    /// The starting points (Hoffmann et al.'s 4500 by default).
    public var grid = InitializationGrid.hoffmann
    /// The local minimizer run from each start.
    public var optimizer = LBFGS()

    /// A fitter with Hoffmann et al.'s settings.
    public init() {}

    /// The outcome of one multi-start fit.
    public struct Result: Sendable {
        /// The law with the lowest objective over all starts.
        public var law: ScalingLaw
        /// Its objective, Σ Huber_δ(residual).
        public var objective: Double
        /// Starts tried.
        public var starts: Int
        /// Distinct local optima, best first (at most `keptOptima`), for warm-starting refits.
        public var optima: [ScalingLaw]
        /// Why the optimizer stopped at the best start.
        public var stop: LBFGS.Stop
    }

    /// How many distinct local optima a result keeps.
    public static let keptOptima = 5

    /// Fits the law to `points` from every start of `grid`.
    public func fit(_ points: [ScalingPoint]) throws(FitError) -> Result {
        try fit(points, starts: grid.starts)
    }

    /// Fits the law to `points` from the given starts.
    public func fit(_ points: [ScalingPoint], starts: [ScalingLaw]) throws(FitError) -> Result {
        try Self.checkIdentifiable(points)
        let objective = Self.objective(points, huber: HuberLoss(delta: huberDelta))
        var ends: [(law: ScalingLaw, value: Double, stop: LBFGS.Stop)] = []
        for start in starts {
            let result = optimizer.minimize(from: start.vector, objective)
            if result.value.isFinite, result.x.allSatisfy(\.isFinite) {
                ends.append((ScalingLaw(vector: result.x), result.value, result.stop))
            }
        }
        // A stable sort on the value keeps ties in start order, so the result is deterministic.
        let ranked = ends.enumerated().sorted { ($0.element.value, $0.offset) < ($1.element.value, $1.offset) }.map(\.element)
        guard let best = ranked.first else {
            throw FitError("no start of the fit reached a finite objective; check that every loss is positive and finite")
        }
        var optima: [ScalingLaw] = []
        for end in ranked where optima.count < Self.keptOptima {
            if !optima.contains(where: { Self.close($0, end.law) }) { optima.append(end.law) }
        }
        return Result(law: best.law, objective: best.value, starts: starts.count, optima: optima, stop: best.stop)
    }

    /// The residuals log L̂ − log L of `law` at `points`.
    public static func residuals(_ law: ScalingLaw, _ points: [ScalingPoint]) -> [Double] {
        points.map { law.logLoss(logN: log($0.n), logD: log($0.d)) - log($0.loss) }
    }

    // Five parameters need five points, and α (β) needs two distinct N (D).
    static func checkIdentifiable(_ points: [ScalingPoint]) throws(FitError) {
        for p in points where !(p.n > 0 && p.d > 0 && p.loss > 0 && p.n.isFinite && p.d.isFinite && p.loss.isFinite) {
            throw FitError("a run has N = \(p.n), D = \(p.d), loss = \(p.loss); every value must be positive and finite")
        }
        guard points.count >= 5 else {
            throw FitError("\(points.count) runs cannot determine the law's 5 parameters; use at least 6 (e.g. 3 sizes × 2 budgets)")
        }
        guard Set(points.map(\.n)).count >= 2, Set(points.map(\.d)).count >= 2 else {
            throw FitError("the runs need at least 2 distinct model sizes and 2 distinct token counts to determine α and β")
        }
    }

    /// Σ Huber(LSE(a − α log N, b − β log D, e) − log L) and its gradient in (a, b, e, α, β).
    public static func objective(_ points: [ScalingPoint], huber: HuberLoss) -> Objective {
        let logN = points.map { log($0.n) }, logD = points.map { log($0.d) }, logL = points.map { log($0.loss) }
        return { x, g in
            let (a, b, e, alpha, beta) = (x[0], x[1], x[2], x[3], x[4])
            for k in g.indices { g[k] = 0 }
            var total = 0.0
            for i in logN.indices {
                let u0 = a - alpha * logN[i], u1 = b - beta * logD[i]
                let m = max(u0, u1, e)
                let w0 = exp(u0 - m), w1 = exp(u1 - m), w2 = exp(e - m)
                let sum = w0 + w1 + w2
                let r = m + log(sum) - logL[i]
                total += huber.value(r)
                let h = huber.derivative(r) / sum
                g[0] += h * w0
                g[1] += h * w1
                g[2] += h * w2
                g[3] -= h * w0 * logN[i]
                g[4] -= h * w1 * logD[i]
            }
            return total
        }
    }

    private static func close(_ x: ScalingLaw, _ y: ScalingLaw) -> Bool {
        zip(x.vector, y.vector).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($0)) }
    }
}
