import Foundation

/// A standalone SVG chart of several series over two axes, with horizontal grid lines and a
/// legend in the top right corner.
public struct LineChart: Sendable {
    /// The heading above the plot.
    public var title: String
    /// The horizontal axis.
    public var x: Axis
    /// The vertical axis.
    public var y: Axis
    /// The series, drawn in order (later ones on top).
    public var series: [Series]
    /// Image width in pixels.
    public var width = 800.0
    /// Image height in pixels.
    public var height = 480.0
    /// Where the legend goes.
    public var legend = LegendPlacement.insideTopRight

    /// Where a chart's legend is drawn.
    public enum LegendPlacement: Sendable {
        /// In the plot's top right corner (fine for falling curves, which leave it empty).
        case insideTopRight
        /// To the right of the plot, widening the image, so that it never hides data.
        case outsideRight
    }

    private let left = 70.0, right = 20.0, top = 40.0, bottom = 50.0

    /// A chart of `series` over the two axes.
    public init(title: String, x: Axis, y: Axis, series: [Series]) {
        self.title = title
        self.x = x
        self.y = y
        self.series = series
    }

    /// The SVG document.
    public func svg() -> String {
        let shown = series.map { s in
            s.points.filter { p in p.x.isFinite && p.y.isFinite && (x.scale == .linear || p.x > 0) && (y.scale == .linear || p.y > 0) }
        }
        let xRange = x.resolvedRange(shown.flatMap { $0.map(\.x) }), yRange = y.resolvedRange(shown.flatMap { $0.map(\.y) })
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func px(_ v: Double) -> Double { left + x.offset(v, in: xRange, length: plotWidth) }
        func py(_ v: Double) -> Double { top + y.offsetFromEnd(v, in: yRange, length: plotHeight) }
        var out = frame(imageWidth: Int(width) + (legend == .outsideRight ? legendWidth + 25 : 0))
        let xTicks = x.ticks(xRange), yTicks = y.ticks(yRange)
        for i in 0..<max(xTicks.count, yTicks.count) {
            if i < yTicks.count {
                let v = yTicks[i]
                out += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", left - 6, py(v) + 4) + escape(y.format(v)) + "</text>\n"
                out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", left, py(v), width - right, py(v))
            }
            if i < xTicks.count {
                out += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", px(xTicks[i]), height - bottom + 18) + escape(x.format(xTicks[i])) + "</text>\n"
            }
        }
        for (s, points) in zip(series, shown) where !points.isEmpty {
            if let lineWidth = s.lineWidth {
                let d = points.enumerated().map { i, p in (i == 0 ? "M" : "L") + String(format: "%.1f,%.1f", px(p.x), py(p.y)) }.joined(separator: " ")
                out += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"\(number(lineWidth))\"\(dash(s))/>\n"
            }
            if let r = s.markerRadius {
                for p in points { out += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"\(number(r))\" fill=\"\(s.color)\"/>\n", px(p.x), py(p.y)) }
            }
        }
        return out + legendBox() + "</svg>\n"
    }

    // The background, title, axis lines and axis titles.
    private func frame(imageWidth: Int) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(imageWidth)" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="22" text-anchor="middle" font-size="15">\(escape(title))</text>
        <line x1="\(left)" y1="\(height - bottom)" x2="\(width - right)" y2="\(height - bottom)" stroke="black"/>
        <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(height - bottom)" stroke="black"/>
        <text x="\((left + width - right) / 2)" y="\(height - 12)" text-anchor="middle">\(escape(x.label))</text>
        <text x="16" y="\((top + height - bottom) / 2)" text-anchor="middle" transform="rotate(-90 16 \((top + height - bottom) / 2))">\(escape(y.label))</text>

        """
    }

    // One row per listed series: a line (or a dot for marker-only series) and the name.
    private func legendBox() -> String {
        let entries = series.filter(\.inLegend)
        guard !entries.isEmpty else { return "" }
        let boxWidth = legendWidth
        let boxX = legend == .outsideRight ? width - right + 15 : width - right - 10 - Double(boxWidth)
        var out = "<rect x=\"\(boxX)\" y=\"\(top + 5)\" width=\"\(boxWidth)\" height=\"\(8 + 18 * entries.count)\" fill=\"white\" stroke=\"#999\"/>\n"
        for (i, s) in entries.enumerated() {
            let row = top + 20 + 18 * Double(i)
            if s.lineWidth == nil, let r = s.markerRadius {
                out += "<circle cx=\"\(boxX + 22.5)\" cy=\"\(row)\" r=\"\(number(r))\" fill=\"\(s.color)\"/>\n"
            } else {
                out += "<line x1=\"\(boxX + 10)\" y1=\"\(row)\" x2=\"\(boxX + 35)\" y2=\"\(row)\" stroke=\"\(s.color)\" stroke-width=\"2\"\(dash(s))/>\n"
            }
            out += "<text x=\"\(boxX + 42)\" y=\"\(row + 4)\">\(escape(s.name))</text>\n"
        }
        return out
    }

    // About 6 px per character of 12 px sans-serif after the 42 px swatch; at least 140.
    private var legendWidth: Int { max(140, 44 + 6 * (series.filter(\.inLegend).map(\.name.count).max() ?? 0)) }

    private func dash(_ s: Series) -> String { s.dashed ? " stroke-dasharray=\"6 4\"" : "" }

    // 2 rather than 2.0, so that whole widths read as they were written.
    private func number(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : String(v) }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
