import Foundation
import Plots
import RunConfig

/// Draws a run's training and validation loss against tokens seen as a standalone SVG.
public enum LossPlot {
    /// One point of a curve.
    public struct Point: Sendable, Equatable {
        public var tokens: Double
        public var loss: Double
        /// Training seconds up to this point: the steps' own times, summed (evaluations excluded).
        public var seconds: Double
        public init(tokens: Double, loss: Double, seconds: Double = 0) {
            self.tokens = tokens
            self.loss = loss
            self.seconds = seconds
        }
    }

    /// Reads `metrics.jsonl` into training (per step) and validation points; later lines for the
    /// same step (a resumed run) replace earlier ones.
    public static func read(metrics url: URL) throws -> (train: [Point], validation: [Point]) {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw TrainingError("\(url.path): cannot read the metrics file; pass the run directory that holds metrics.jsonl (checkpoint.dir)")
        }
        var train: [Int: Point] = [:]
        var validation: [Int: Point] = [:]
        var stepSeconds: [Int: Double] = [:]
        for (number, line) in text.split(separator: "\n").enumerated() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let step = object["step"] as? Int, let tokens = (object["tokens"] as? NSNumber)?.doubleValue else {
                throw TrainingError("\(url.path):\(number + 1): not a metrics record")
            }
            if let loss = (object["val_loss"] as? NSNumber)?.doubleValue {
                validation[step] = Point(tokens: tokens, loss: loss)
            } else if let loss = (object["loss"] as? NSNumber)?.doubleValue {
                stepSeconds[step] = ((object["ms"] as? NSNumber)?.doubleValue ?? 0) / 1000
                if object["skipped"] as? Bool != true { train[step] = Point(tokens: tokens, loss: loss) }
            }
        }
        // Seconds after each step: a validation record's step is the last step before it.
        var elapsed: [Int: Double] = [:], total = 0.0
        for step in stepSeconds.keys.sorted() {
            total += stepSeconds[step]!
            elapsed[step] = total
        }
        func sorted(_ d: [Int: Point]) -> [Point] {
            d.keys.sorted().map { step in
                var p = d[step]!
                p.seconds = elapsed[step] ?? 0  // every step with a record has its time; step -1 is before any
                return p
            }.filter { $0.loss.isFinite }
        }
        return (sorted(train), sorted(validation))
    }

    /// What a chart of several runs puts on x.
    public enum Abscissa: String, Sendable, CaseIterable {
        /// Tokens seen.
        case tokens
        /// Training seconds (the steps' times; evaluations and saves excluded).
        case seconds
    }

    /// One validation curve per run, on one chart: which recipe reaches a loss first, in tokens
    /// or in seconds.
    public static func svg(runs: [(name: String, validation: [Point])], against x: Abscissa, title: String) -> String {
        let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f"]
        func value(_ p: Point) -> Double { x == .tokens ? p.tokens : p.seconds }
        let all = runs.flatMap(\.validation)
        let maxX = max(1, all.map(value).max() ?? 1)
        var lo = all.map(\.loss).min() ?? 0, hi = all.map(\.loss).max() ?? 1
        if hi - lo < 1e-6 { lo -= 0.5; hi += 0.5 }
        let series = runs.enumerated().map { i, run in
            Series(name: run.name, points: run.validation.map { Series.Point(x: value($0), y: $0.loss) },
                   color: colors[i % colors.count], lineWidth: 2, markerRadius: 3)
        }
        return LineChart(
            title: title,
            x: Axis(label: x == .tokens ? "tokens seen" : "training seconds", range: 0...maxX, format: Axis.compact),
            y: Axis(label: "validation loss", range: lo...hi, format: Axis.fixed(2)),
            series: series).svg()
    }

    /// The SVG document for the two curves: tokens from 0 on x, the losses' extent on y.
    public static func svg(train: [Point], validation: [Point], title: String) -> String {
        let all = train + validation
        let maxTokens = max(1, all.map(\.tokens).max() ?? 1)
        let lossValues = all.map(\.loss)
        var lo = lossValues.min() ?? 0, hi = lossValues.max() ?? 1
        if hi - lo < 1e-6 { lo -= 0.5; hi += 0.5 }
        func points(_ curve: [Point]) -> [Series.Point] { curve.map { Series.Point(x: $0.tokens, y: $0.loss) } }
        return LineChart(
            title: title,
            x: Axis(label: "tokens seen", range: 0...maxTokens, format: Axis.compact),
            y: Axis(label: "loss", range: lo...hi, format: Axis.fixed(2)),
            series: [
                Series(name: "train loss", points: points(train), color: "#1f77b4", lineWidth: 1.5),
                Series(name: "validation loss", points: points(validation), color: "#d62728", lineWidth: 2, markerRadius: 3),
            ]).svg()
    }
}
