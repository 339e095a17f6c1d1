import Foundation
import Testing
import ScalingLaws

/// The measured compute-optimal frontier and the power laws through it.
@Suite struct FrontierTests {
    private func record(_ name: String, n: Int, d: Int, loss: Double, budget: Double? = nil) -> CellRecord {
        let cell = PlannedCell(name: name, depth: 1, width: 64, heads: 1, steps: 10, warmupSteps: 0, tokens: d,
                               counts: ModelCounts(nonEmbeddingParams: n, flopsPerToken: 6 * Double(n)), budget: budget, heldOut: false)
        return CellRecord(cell, loss: loss, bitsPerByte: 0, wallSeconds: 0, tokensPerSecond: 0)
    }

    @Test func tokenGridFrontierIsTheLowerEnvelope() {
        let cells = [
            record("a", n: 10, d: 100, loss: 5.0),   // C = 6000
            record("b", n: 20, d: 100, loss: 4.8),   // C = 12000, better: on
            record("c", n: 10, d: 200, loss: 4.9),   // C = 12000, worse at the same C: off
            record("d", n: 40, d: 100, loss: 4.85),  // C = 24000, worse than b: off
            record("e", n: 20, d: 400, loss: 4.5),   // C = 48000: on
        ]
        #expect(Frontier.points(cells).map(\.cell) == ["a", "b", "e"])
        #expect(Frontier.points(cells).map(\.budget) == [6000, 12000, 48000])
    }

    @Test func flopsGridFrontierIsTheBestCellPerBudget() {
        let cells = [
            record("small-1", n: 10, d: 1000, loss: 4.0, budget: 6e4), record("big-1", n: 100, d: 100, loss: 4.2, budget: 6e4),
            record("small-2", n: 10, d: 10000, loss: 3.9, budget: 6e5), record("big-2", n: 100, d: 1000, loss: 3.7, budget: 6e5),
        ]
        let points = Frontier.points(cells)
        #expect(points.map(\.cell) == ["small-1", "big-2"])
        #expect(points.map(\.budget) == [6e4, 6e5])
    }

    @Test func powerLawFitIsExactOnAPowerLaw() throws {
        let x = [1e3, 1e4, 1e5, 3e5]
        let law = try #require(PowerLaw.fit(x: x, y: x.map { 2.5 * pow($0, 0.73) }))
        #expect(abs(law.exponent - 0.73) < 1e-12 && abs(law.coefficient - 2.5) < 1e-9)
        #expect(PowerLaw.fit(x: [5, 5], y: [1, 2]) == nil)
    }

    /// IsoFLOP profiles of Chinchilla's law (C = 6ND; sizes 48 per decade): the best size per
    /// budget must grow as C^(β/(α+β)) = C^0.4516 and the tokens as C^0.5484, within 0.01.
    @Test func frontierExponentsOfAKnownLaw() throws {
        var cells: [CellRecord] = []
        for budget in [1e17, 1e18, 1e19, 1e20, 1e21] {
            for k in 0...(4 * 48) {
                let n = 1e6 * pow(10, Double(k) / 48), d = budget / (6 * n)
                cells.append(record("C\(budget)-\(k)", n: Int(n), d: Int(d), loss: chinchilla.loss(n: n, d: d), budget: budget))
            }
        }
        let fit = try #require(Frontier.exponents(Frontier.points(cells)))
        #expect(abs(fit.size.exponent - chinchilla.computeOptimalSizeExponent) < 0.01, "a = \(fit.size.exponent)")
        #expect(abs(fit.data.exponent - chinchilla.computeOptimalDataExponent) < 0.01, "b = \(fit.data.exponent)")
    }
}
