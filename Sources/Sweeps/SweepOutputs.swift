import Foundation
import RunConfig
import ScalingLaws

/// What rank 0 writes and prints about a sweep: fit.json, the pictures, and the lines that
/// summarize cells, the fit and the held-out check.
enum SweepOutputs {
    /// The fit's file name in the sweep's directory.
    static let fitFileName = "fit.json"

    /// Writes fit.json and the three SVG charts into `directory`, each atomically.
    static func write(_ report: FitReport, records: [CellRecord], directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var json = try encoder.encode(report)
        json.append(UInt8(ascii: "\n"))
        try writeAtomically(json, to: directory.appendingPathComponent(fitFileName))
        for chart in SweepCharts.all(records, report: report) {
            try writeAtomically(Data(chart.svg.utf8), to: directory.appendingPathComponent(chart.name))
        }
    }

    /// Writes `data` to `url` through a temporary file and a rename, creating the folder.
    static func writeAtomically(_ data: Data, to url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw TrainingError("\(url.path): cannot write (\(error.localizedDescription)); check that the sweep's `dir` is writable and the disk has room")
        }
    }

    /// "L2-W64-H2-D98304: N 100k, D 98,304 (24 steps), C 1.23e+12 FLOPs".
    static func describe(_ cell: PlannedCell) -> String {
        "\(cell.name): N \(cell.counts.nonEmbeddingParams), D \(cell.tokens) (\(cell.steps) steps), C \(String(format: "%.3g", cell.flops)) FLOPs"
    }

    /// One cell's result line.
    static func describe(_ record: CellRecord) -> String {
        "\(record.cell): " + String(format: "loss %.4f, %.4f bits/byte, %.1f s of training, %.0f tokens/s",
                                      record.loss, record.bitsPerByte, record.wallSeconds, record.tokensPerSecond)
    }

    /// The fitted law, its exponents and the frontier's, with intervals.
    static func fitLines(_ report: FitReport) -> [String] {
        let law = report.law
        let level = String(format: "%.0f%%", report.bootstrap.confidence * 100)
        var lines = [
            "fit over \(report.cells) cells: L(N, D) = E + A/N^α + B/D^β, \(level) bootstrap intervals over \(report.bootstrap.resamples) resamples"
                + (report.bootstrap.failedLawFits > 0 ? " (\(report.bootstrap.failedLawFits) refits failed)" : ""),
            "  E = \(text(law.E)), A = \(text(law.A)), B = \(text(law.B)), α = \(text(law.alpha)), β = \(text(law.beta))",
            "  law: N_opt ∝ C^\(text(report.lawExponents.size)), D_opt ∝ C^\(text(report.lawExponents.data))",
        ]
        if let frontier = report.frontierExponents {
            lines.append("  frontier (\(report.frontier.count) cells): N_opt ∝ C^\(text(frontier.size)), D_opt ∝ C^\(text(frontier.data))")
        }
        return lines
    }

    /// The held-out prediction, and its check once measured.
    static func predictionLine(_ p: FitReport.Prediction) -> String {
        let predicted = "predicted loss \(text(p.predictedLoss))"
        guard let measured = p.measuredLoss else { return "held-out \(p.cell): \(predicted), before training it" }
        let verdict = p.withinInterval.map { $0 ? ", inside the interval" : ", outside the interval" } ?? ""
        return "held-out \(p.cell): " + String(format: "measured loss %.4f, ", measured) + predicted
            + String(format: ": error %+.2f%%", (p.relativeError ?? 0) * 100) + verdict
    }

    /// "1.234 [1.1, 1.4]", four significant digits.
    static func text(_ e: Estimate) -> String {
        let value = String(format: "%.4g", e.value)
        guard let low = e.low, let high = e.high else { return value }
        return value + String(format: " [%.4g, %.4g]", low, high)
    }
}
