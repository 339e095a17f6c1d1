import Foundation
import FoundationXML
import ScalingLaws
import Sweeps
#if canImport(FoundationXML)
import Testing
import Training
#endif

/// The sweep's three pictures from synthetic runs of a known law: well-formed SVG with one
/// curve per shape or budget, the frontier, the fitted law and the held-out cell.
@Suite struct SweepChartsTests {
    static let law = ScalingLaw(E: 1.8, A: 80, B: 300, alpha: 0.3, beta: 0.3)

    static func cell(depth: Int, width: Int, tokens: Int, heldOut: Bool = false) -> PlannedCell {
        let n = depth * 12 * width * width
        return PlannedCell(name: "\(heldOut ? "heldout-" : "")L\(depth)-W\(width)-D\(tokens)", depth: depth, width: width, heads: width / 32,
                           steps: tokens / 4096, warmupSteps: 1, tokens: tokens,
                           counts: ModelCounts(nonEmbeddingParams: n, flopsPerToken: 6 * Double(n + 2048 * width)), budget: nil, heldOut: heldOut)
    }

    static func record(_ c: PlannedCell) -> CellRecord {
        let loss = law.loss(n: Double(c.counts.nonEmbeddingParams), d: Double(c.tokens)) * (1 + 0.002 * sin(Double(c.tokens + c.width)))
        return CellRecord(c, loss: loss, bitsPerByte: loss / log(2) / 3, wallSeconds: 10, tokensPerSecond: 1e4)
    }

    static let shapes = [(2, 64), (3, 96), (4, 128), (5, 160), (6, 192)]
    static let target = cell(depth: 6, width: 256, tokens: 901_120, heldOut: true)

    static func analysis() -> SweepAnalysis {
        var a = SweepAnalysis(bootstrap: Bootstrap(resamples: 20, seed: 1))
        a.fitter.grid = InitializationGrid(a: [0, 5, 10], b: [0, 5, 10], e: [-1, 0, 1], alpha: [0.2, 0.6], beta: [0.2, 0.6])
        return a
    }

    private func wellFormed(_ svg: String) -> Bool { XMLParser(data: Data(svg.utf8)).parse() }
    private func count(_ needle: String, _ svg: String) -> Int { svg.components(separatedBy: needle).count - 1 }

    @Test func chartsOfAFinishedSweep() throws {
        let grid = Self.shapes.flatMap { s in [98_304, 299_008, 901_120].map { Self.record(Self.cell(depth: s.0, width: s.1, tokens: $0)) } }
        let records = grid + [Self.record(Self.target)]
        let report = try Self.analysis().analyze(records, heldOut: Self.target)
        let charts = SweepCharts.all(records, report: report)
        #expect(charts.map(\.name) == ["loss-vs-compute.svg", "loss-vs-size.svg", "residuals.svg"])
        for chart in charts { #expect(wellFormed(chart.svg), "\(chart.name) is not well-formed XML") }

        let compute = charts[0].svg
        #expect(count("<path", compute) == 5 + 1)  // a curve per shape and the frontier
        #expect(compute.contains(">L2 W64 (N = 98k)</text>") && compute.contains("compute-optimal frontier"))
        #expect(compute.contains("held-out, predicted") && compute.contains("held-out, measured"))

        let size = charts[1].svg
        #expect(count("<path", size) == 3)  // the fitted law at each of the 3 token budgets
        #expect(size.contains(">D = 98k</text>") && size.contains(">fit, D = 901k</text>"))
        #expect(size.contains("L(N, D) = "))

        let residuals = charts[2].svg
        #expect(count("<circle", residuals) == 15 + 5)  // every grid run, and a legend dot per shape
        #expect(!residuals.contains("heldout"))
    }

    @Test func heldOutPredictionIsDrawnBeforeItIsTrained() throws {
        let grid = Self.shapes.flatMap { s in [98_304, 299_008, 901_120].map { Self.record(Self.cell(depth: s.0, width: s.1, tokens: $0)) } }
        let report = try Self.analysis().analyze(grid, heldOut: Self.target)
        let compute = SweepCharts.lossAgainstCompute(grid, report: report)
        #expect(compute.contains("held-out, predicted") && !compute.contains("held-out, measured"))
        #expect(wellFormed(compute))
    }
}
