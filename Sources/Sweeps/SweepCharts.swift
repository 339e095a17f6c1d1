import Foundation
import Plots
import ScalingLaws

/// The sweep's pictures, drawn like `trainer report`: loss against compute per model size with
/// the frontier, loss against N per token budget with the fitted law, and the fit's residuals.
public enum SweepCharts {
    /// Every chart as (file name, SVG), for the sweep's directory.
    public static func all(_ records: [CellRecord], report: FitReport) -> [(name: String, svg: String)] {
        [("loss-vs-compute.svg", lossAgainstCompute(records, report: report)),
         ("loss-vs-size.svg", lossAgainstSize(records, report: report)),
         ("residuals.svg", residuals(records, report: report))]
    }

    /// Loss against training FLOPs: one curve per model shape, the frontier, and the held-out cell.
    public static func lossAgainstCompute(_ records: [CellRecord], report: FitReport) -> String {
        let grid = records.filter { !$0.heldOut }
        var series = shapes(grid).enumerated().map { i, cells in
            Series(name: shapeName(cells[0]), points: cells.sorted { $0.flops < $1.flops }.map { .init(x: $0.flops, y: $0.loss) },
                   color: color(i), lineWidth: 1.5, markerRadius: 3)
        }
        series.append(Series(name: "compute-optimal frontier", points: report.frontier.map { .init(x: $0.flops, y: $0.loss) },
                             color: "#000", lineWidth: 2, dashed: true))
        series += heldOut(records, report: report) { .init(x: $0.flops, y: $1) }
        return LineChart(title: "loss against compute (\(grid.count) runs)", x: Axis(label: "training FLOPs C", scale: .log, format: Axis.scientific),
                         y: Axis(label: "held-out loss (nats/token)", format: Axis.fixed(2)), series: series).svg(legend: .outsideRight)
    }

    /// Loss against non-embedding parameters: the runs of each token budget (compute budget for a
    /// flops grid) as dots, with the fitted law through them as a dashed curve of the same colour.
    public static func lossAgainstSize(_ records: [CellRecord], report: FitReport) -> String {
        let grid = records.filter { !$0.heldOut }, law = report.law.law
        let byBudget = grid.allSatisfy { $0.budget != nil }
        let groups = Dictionary(grouping: grid) { byBudget ? $0.budget! : Double($0.tokens) }
        let sizes = records.map { Double($0.nonEmbeddingParams) }
        let (lo, hi) = ((sizes.min() ?? 1) / 1.5, (sizes.max() ?? 1) * 1.5)
        // A law fitted to few runs can climb steeply beyond them; drawing it only where losses
        // were measured or predicted keeps the runs readable on the y axis.
        let seen = records.map(\.loss) + [report.prediction?.predictedLoss.value].compactMap { $0 }
        let band = (seen.min() ?? 0) * 0.95...(seen.max() ?? 0) * 1.05
        var series: [Series] = []
        for (i, key) in groups.keys.sorted().enumerated() {
            let cells = groups[key]!.sorted { $0.nonEmbeddingParams < $1.nonEmbeddingParams }
            let label = byBudget ? "C = \(Axis.scientific(key))" : "D = \(Axis.compact(key))"
            series.append(Series(name: label, points: cells.map { .init(x: Double($0.nonEmbeddingParams), y: $0.loss) },
                                 color: color(i), lineWidth: nil, markerRadius: 3.5))
            // A token budget fixes D, so the law is a curve in N; a compute budget's D varies per run.
            let curve: [Series.Point] = byBudget
                ? cells.map { .init(x: Double($0.nonEmbeddingParams), y: law.loss(n: Double($0.nonEmbeddingParams), d: Double($0.tokens))) }
                : (0...40).map { k in let n = lo * pow(hi / lo, Double(k) / 40); return .init(x: n, y: law.loss(n: n, d: key)) }
            series.append(Series(name: "fit, \(label)", points: curve.filter { band.contains($0.y) }, color: color(i), lineWidth: 1.5, dashed: true))
        }
        series += heldOut(records, report: report) { .init(x: Double($0.nonEmbeddingParams), y: $1) }
        let title = String(format: "L(N, D) = %.2f + %.3g/N^%.3f + %.3g/D^%.3f", law.E, law.A, law.alpha, law.B, law.beta)
        return LineChart(title: title, x: Axis(label: "non-embedding parameters N", scale: .log),
                         y: Axis(label: "held-out loss (nats/token)", format: Axis.fixed(2)), series: series).svg(legend: .outsideRight)
    }

    /// ln(fit / measured) of every grid run against its compute, coloured by model shape.
    public static func residuals(_ records: [CellRecord], report: FitReport) -> String {
        let residual = Dictionary(report.residuals.map { ($0.cell, $0.logResidual) }, uniquingKeysWith: { a, _ in a })
        var series = shapes(records.filter { !$0.heldOut }).enumerated().map { i, cells in
            Series(name: shapeName(cells[0]), points: cells.compactMap { c in residual[c.cell].map { .init(x: c.flops, y: $0) } },
                   color: color(i), lineWidth: nil, markerRadius: 3.5)
        }
        let flops = records.map(\.flops)
        series.append(Series(name: "zero", points: [.init(x: (flops.min() ?? 1) / 1.2, y: 0), .init(x: (flops.max() ?? 1) * 1.2, y: 0)],
                             color: "#999", lineWidth: 1, inLegend: false))
        let spread = report.residuals.map { abs($0.logResidual) }.max() ?? 0
        // Symmetric about zero, so that the middle tick is exactly 0.
        let reach = spread > 0 ? spread * 1.1 : 1e-3
        return LineChart(title: String(format: "residuals of the fit (largest |ln(fit/measured)| = %.4f)", spread),
                         x: Axis(label: "training FLOPs C", scale: .log, format: Axis.scientific),
                         y: Axis(label: "ln(fit / measured)", range: -reach...reach, format: Axis.significant(2)), series: series).svg(legend: .outsideRight)
    }

    // The grid's runs grouped by shape, smallest model first.
    private static func shapes(_ grid: [CellRecord]) -> [[CellRecord]] {
        let groups = Dictionary(grouping: grid) { "\($0.depth)-\($0.width)-\($0.heads)" }
        return groups.values.sorted { ($0[0].nonEmbeddingParams, $0[0].cell) < ($1[0].nonEmbeddingParams, $1[0].cell) }
    }

    private static func shapeName(_ cell: CellRecord) -> String {
        "L\(cell.depth) W\(cell.width) (N = \(Axis.compact(Double(cell.nonEmbeddingParams))))"
    }

    // The held-out cell's prediction and, once trained, its measurement, as two dots.
    private static func heldOut(_ records: [CellRecord], report: FitReport, _ point: (CellRecord, Double) -> Series.Point) -> [Series] {
        guard let prediction = report.prediction, let planned = records.first(where: { $0.heldOut && $0.cell == prediction.cell })
                ?? syntheticRecord(prediction) else { return [] }
        var series = [Series(name: String(format: "held-out, predicted %.3f", prediction.predictedLoss.value),
                             points: [point(planned, prediction.predictedLoss.value)], color: "#7f7f7f", lineWidth: nil, markerRadius: 5)]
        if let measured = prediction.measuredLoss {
            series.append(Series(name: String(format: "held-out, measured %.3f", measured), points: [point(planned, measured)],
                                 color: "#000", lineWidth: nil, markerRadius: 4))
        }
        return series
    }

    // Before the held-out cell has trained there is no record; its coordinates come from the prediction.
    private static func syntheticRecord(_ p: FitReport.Prediction) -> CellRecord? {
        let cell = PlannedCell(name: p.cell, depth: 0, width: 0, heads: 0, steps: 0, warmupSteps: 0, tokens: Int(p.d),
                               counts: ModelCounts(nonEmbeddingParams: Int(p.n), flopsPerToken: p.flops / p.d), budget: nil, heldOut: true)
        return CellRecord(cell, loss: p.predictedLoss.value, bitsPerByte: 0, wallSeconds: 0, tokensPerSecond: 0)
    }

    private static func color(_ i: Int) -> String { Series.palette[i % Series.palette.count] }
}

private extension LineChart {
    /// The SVG with the legend placed as given.
    func svg(legend: LegendPlacement) -> String {
        var chart = self
        chart.legend = legend
        return chart.svg()
    }
}
