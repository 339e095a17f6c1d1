import Foundation
import Plots
import RunConfig

/// Draws a run's training and validation loss against tokens seen as a standalone SVG.
public enum LossPlot {
    /// One point of a curve.
    public struct Point: Sendable, Equatable {
        public var tokens: Double
        public var loss: Double
        public init(tokens: Double, loss: Double) {
            self.tokens = tokens
            self.loss = loss
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
        for (number, line) in text.split(separator: "\n").enumerated() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let step = object["step"] as? Int, let tokens = (object["tokens"] as? NSNumber)?.doubleValue else {
                throw TrainingError("\(url.path):\(number + 1): not a metrics record")
            }
            if let loss = (object["val_loss"] as? NSNumber)?.doubleValue {
                validation[step] = Point(tokens: tokens, loss: loss)
            } else if let loss = (object["loss"] as? NSNumber)?.doubleValue, object["skipped"] as? Bool != true {
                train[step] = Point(tokens: tokens, loss: loss)
            }
        }
        func sorted(_ d: [Int: Point]) -> [Point] { d.keys.sorted().map { d[$0]! }.filter { $0.loss.isFinite } }
        return (sorted(train), sorted(validation))
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
