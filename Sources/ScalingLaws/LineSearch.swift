/// A smooth objective: returns f(x) and writes ∇f(x) into `gradient` (same count as `x`).
public typealias Objective = (_ x: [Double], _ gradient: inout [Double]) -> Double

/// A point found by the line search, with its value and gradient.
public struct LineSearchPoint: Sendable {
    /// The step length along the search direction.
    public var step: Double
    /// The point.
    public var x: [Double]
    /// f at the point.
    public var value: Double
    /// ∇f at the point.
    public var gradient: [Double]

    /// A point with its value and gradient.
    public init(step: Double, x: [Double], value: Double, gradient: [Double]) {
        self.step = step
        self.x = x
        self.value = value
        self.gradient = gradient
    }
}

/// Line search for the strong Wolfe conditions (Nocedal & Wright, *Numerical Optimization*,
/// 2nd ed., algorithms 3.5 and 3.6): bracket a step, then zoom with safeguarded cubic interpolation.
public struct WolfeLineSearch: Sendable {
    /// Sufficient-decrease constant (Armijo).
    public var c1 = 1e-4
    /// Curvature constant; 0.9 is the usual choice for quasi-Newton directions.
    public var c2 = 0.9
    /// Objective evaluations allowed in one search.
    public var maxEvaluations = 40

    /// A search with the usual constants.
    public init() {}

    private struct Probe {
        var step: Double
        var value: Double
        var slope: Double
        var point: LineSearchPoint
    }

    /// Searches along `direction` (a descent direction) from `x`; nil when no step decreases f.
    public func search(from start: LineSearchPoint, direction d: [Double], initialStep: Double, objective f: Objective) -> LineSearchPoint? {
        let slope0 = dot(start.gradient, d)
        guard slope0 < 0, initialStep > 0 else { return nil }
        var evaluations = 0
        func probe(_ step: Double) -> Probe {
            evaluations += 1
            let x = zip(start.x, d).map { $0 + step * $1 }
            var g = [Double](repeating: 0, count: x.count)
            let value = f(x, &g)
            return Probe(step: step, value: value, slope: dot(g, d), point: LineSearchPoint(step: step, x: x, value: value, gradient: g))
        }
        let origin = Probe(step: 0, value: start.value, slope: slope0, point: start)
        var previous = origin
        var step = initialStep
        while evaluations < maxEvaluations {
            let current = probe(step)
            if !current.value.isFinite || current.value > start.value + c1 * step * slope0 || (evaluations > 1 && current.value >= previous.value) {
                return zoom(low: previous, high: current, origin: origin, evaluations: &evaluations, probe: probe)
            }
            if abs(current.slope) <= -c2 * slope0 { return current.point }
            if current.slope >= 0 {
                return zoom(low: current, high: previous, origin: origin, evaluations: &evaluations, probe: probe)
            }
            previous = current
            step *= 2
        }
        return previous.step > 0 ? previous.point : nil
    }

    // Keeps `low` the best point satisfying sufficient decrease; shrinks [low, high] until the
    // curvature condition holds. On running out of evaluations, `low` is still a decrease.
    private func zoom(low: Probe, high: Probe, origin: Probe, evaluations: inout Int, probe: (Double) -> Probe) -> LineSearchPoint? {
        var low = low, high = high
        while evaluations < maxEvaluations {
            let width = high.step - low.step
            if abs(width) <= 1e-16 * max(1, abs(low.step)) { break }
            var step = Self.cubicMinimizer(low, high) ?? (low.step + high.step) / 2
            let margin = 0.1 * abs(width)
            if step < min(low.step, high.step) + margin || step > max(low.step, high.step) - margin {
                step = (low.step + high.step) / 2
            }
            let current = probe(step)
            if !current.value.isFinite || current.value > origin.value + c1 * step * origin.slope || current.value >= low.value {
                high = current
            } else {
                if abs(current.slope) <= -c2 * origin.slope { return current.point }
                if current.slope * (high.step - low.step) >= 0 { high = low }
                low = current
            }
        }
        return low.step > 0 ? low.point : nil
    }

    // The minimizer of the cubic through two points with their values and slopes (N&W eq. 3.59).
    private static func cubicMinimizer(_ a: Probe, _ b: Probe) -> Double? {
        guard a.value.isFinite, b.value.isFinite else { return nil }
        let d1 = a.slope + b.slope - 3 * (a.value - b.value) / (a.step - b.step)
        let radicand = d1 * d1 - a.slope * b.slope
        guard radicand >= 0 else { return nil }
        let d2 = (b.step > a.step ? 1.0 : -1.0) * radicand.squareRoot()
        let denominator = b.slope - a.slope + 2 * d2
        guard denominator != 0 else { return nil }
        let step = b.step - (b.step - a.step) * (b.slope + d2 - d1) / denominator
        return step.isFinite ? step : nil
    }
}

/// The dot product of two equally long vectors.
public func dot(_ a: [Double], _ b: [Double]) -> Double {
    var sum = 0.0
    for i in a.indices { sum += a[i] * b[i] }
    return sum
}
