import Testing
import ScalingLaws

/// The minimizer on textbook problems with known minima.
@Suite struct LBFGSTests {
    // Extended Rosenbrock: Σ 100(x₂ᵢ − x₂ᵢ₋₁²)² + (1 − x₂ᵢ₋₁)², minimum 0 at (1, …, 1).
    static func rosenbrock(_ x: [Double], _ g: inout [Double]) -> Double {
        var f = 0.0
        for k in g.indices { g[k] = 0 }
        for i in stride(from: 0, to: x.count, by: 2) {
            let t = x[i + 1] - x[i] * x[i], u = 1 - x[i]
            f += 100 * t * t + u * u
            g[i] += -400 * t * x[i] - 2 * u
            g[i + 1] += 200 * t
        }
        return f
    }

    @Test func findsTheRosenbrockMinimumFromTheClassicStart() {
        let result = LBFGS().minimize(from: [-1.2, 1], Self.rosenbrock)
        #expect(abs(result.x[0] - 1) < 1e-6 && abs(result.x[1] - 1) < 1e-6)
        #expect(result.value < 1e-12)
        #expect(result.iterations < 100)
    }

    @Test func findsTheExtendedRosenbrockMinimumInTenDimensions() {
        let start = (0..<10).map { $0 % 2 == 0 ? -1.2 : 1.0 }
        let result = LBFGS().minimize(from: start, Self.rosenbrock)
        #expect(result.x.allSatisfy { abs($0 - 1) < 1e-6 })
    }

    @Test func solvesAnIllConditionedQuadraticExactly() {
        // f = Σ wᵢ (xᵢ − i)² with weights spanning six orders of magnitude.
        let weights = [1e-3, 1, 10, 1e3]
        let result = LBFGS().minimize(from: [0, 0, 0, 0]) { x, g in
            var f = 0.0
            for i in x.indices {
                f += weights[i] * (x[i] - Double(i)) * (x[i] - Double(i))
                g[i] = 2 * weights[i] * (x[i] - Double(i))
            }
            return f
        }
        for i in 0..<4 { #expect(abs(result.x[i] - Double(i)) < 1e-5) }
    }

    @Test func stopsAtANonFiniteStart() {
        let result = LBFGS().minimize(from: [1]) { x, g in g[0] = 1; return .nan }
        #expect(result.stop == .nonFinite)
    }

    @Test func lineSearchMeetsTheStrongWolfeConditions() throws {
        // From (-1.2, 1) along -∇f; the accepted step must satisfy both conditions.
        var g0 = [0.0, 0.0]
        let f0 = Self.rosenbrock([-1.2, 1], &g0)
        let d = g0.map { -$0 }
        let search = WolfeLineSearch()
        let point = search.search(from: LineSearchPoint(step: 0, x: [-1.2, 1], value: f0, gradient: g0), direction: d,
                                  initialStep: 1, objective: Self.rosenbrock)
        let p = try #require(point)
        #expect(p.value <= f0 + search.c1 * p.step * dot(g0, d))
        #expect(abs(dot(p.gradient, d)) <= search.c2 * abs(dot(g0, d)))
    }
}
