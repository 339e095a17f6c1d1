import Foundation

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

    /// The SVG document for the two curves.
    public static func svg(train: [Point], validation: [Point], title: String) -> String {
        let width = 800.0, height = 480.0, left = 70.0, right = 20.0, top = 40.0, bottom = 50.0
        let all = train + validation
        let maxTokens = max(1, all.map(\.tokens).max() ?? 1)
        let lossValues = all.map(\.loss)
        var lo = lossValues.min() ?? 0, hi = lossValues.max() ?? 1
        if hi - lo < 1e-6 { lo -= 0.5; hi += 0.5 }
        func x(_ t: Double) -> Double { left + (width - left - right) * t / maxTokens }
        func y(_ l: Double) -> Double { top + (height - top - bottom) * (hi - l) / (hi - lo) }
        func path(_ points: [Point]) -> String {
            points.enumerated().map { i, p in (i == 0 ? "M" : "L") + String(format: "%.1f,%.1f", x(p.tokens), y(p.loss)) }.joined(separator: " ")
        }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="22" text-anchor="middle" font-size="15">\(escape(title))</text>
        <line x1="\(left)" y1="\(height - bottom)" x2="\(width - right)" y2="\(height - bottom)" stroke="black"/>
        <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(height - bottom)" stroke="black"/>
        <text x="\((left + width - right) / 2)" y="\(height - 12)" text-anchor="middle">tokens seen</text>
        <text x="16" y="\((top + height - bottom) / 2)" text-anchor="middle" transform="rotate(-90 16 \((top + height - bottom) / 2))">loss</text>

        """
        for i in 0...4 {
            let l = lo + (hi - lo) * Double(i) / 4, t = maxTokens * Double(i) / 4
            out += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>\n", left - 6, y(l) + 4, l)
            out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", left, y(l), width - right, y(l))
            out += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x(t), height - bottom + 18) + tokenLabel(t) + "</text>\n"
        }
        if !train.isEmpty { out += "<path d=\"\(path(train))\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\"/>\n" }
        if !validation.isEmpty {
            out += "<path d=\"\(path(validation))\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>\n"
            for p in validation { out += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#d62728\"/>\n", x(p.tokens), y(p.loss)) }
        }
        out += """
        <rect x="\(width - right - 150)" y="\(top + 5)" width="140" height="44" fill="white" stroke="#999"/>
        <line x1="\(width - right - 140)" y1="\(top + 20)" x2="\(width - right - 115)" y2="\(top + 20)" stroke="#1f77b4" stroke-width="2"/>
        <text x="\(width - right - 108)" y="\(top + 24)">train loss</text>
        <line x1="\(width - right - 140)" y1="\(top + 38)" x2="\(width - right - 115)" y2="\(top + 38)" stroke="#d62728" stroke-width="2"/>
        <text x="\(width - right - 108)" y="\(top + 42)">validation loss</text>
        </svg>

        """
        return out
    }

    private static func tokenLabel(_ t: Double) -> String {
        if t >= 1e9 { return String(format: "%.1fB", t / 1e9) }
        if t >= 1e6 { return String(format: "%.1fM", t / 1e6) }
        if t >= 1e3 { return String(format: "%.0fk", t / 1e3) }
        return String(format: "%.0f", t)
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
