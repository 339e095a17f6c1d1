import Foundation

/// One axis of a chart: its label, scale, range and how its ticks are written.
public struct Axis: Sendable {
    /// How values map to positions.
    public enum Scale: Sendable {
        /// Equal steps of value are equal distances.
        case linear
        /// Equal ratios of value are equal distances; values ≤ 0 are not drawn.
        case log
    }

    /// The axis title.
    public var label: String
    /// Linear or logarithmic.
    public var scale: Scale
    /// The values at the two ends; nil: the data's extent (padded a little on log axes).
    public var range: ClosedRange<Double>?
    /// Writes a tick value.
    public var format: @Sendable (Double) -> String

    /// An axis; `format` defaults to `Axis.compact`.
    public init(label: String, scale: Scale = .linear, range: ClosedRange<Double>? = nil,
                format: @escaping @Sendable (Double) -> String = Axis.compact) {
        self.label = label
        self.scale = scale
        self.range = range
        self.format = format
    }

    /// 1.5k, 2.0M, 3.1B style labels (as `trainer report` writes token counts).
    public static let compact: @Sendable (Double) -> String = { t in
        if abs(t) >= 1e9 { return String(format: "%.1fB", t / 1e9) }
        if abs(t) >= 1e6 { return String(format: "%.1fM", t / 1e6) }
        if abs(t) >= 1e3 { return String(format: "%.0fk", t / 1e3) }
        return String(format: "%.0f", t)
    }

    /// Labels such as 3e+14, for FLOPs.
    public static let scientific: @Sendable (Double) -> String = { String(format: "%.0e", $0) }

    /// Labels with at most `digits` significant digits, e.g. `significant(2)` writes -0.00077.
    public static func significant(_ digits: Int) -> @Sendable (Double) -> String {
        { String(format: "%.\(digits)g", $0) }
    }

    /// Labels with a fixed number of decimals, e.g. `fixed(2)` writes 3.14.
    public static func fixed(_ decimals: Int) -> @Sendable (Double) -> String {
        { String(format: "%.\(decimals)f", $0) }
    }

    /// The range to draw: `range`, else the extent of `values` (those > 0 on a log axis).
    public func resolvedRange(_ values: [Double]) -> ClosedRange<Double> {
        if let range { return range }
        let usable = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        guard var lo = usable.min(), var hi = usable.max() else { return scale == .log ? 1...10 : 0...1 }
        switch scale {
        case .linear:
            if hi - lo < 1e-6 { lo -= 0.5; hi += 0.5 }
        case .log:
            // A twentieth of the span (at least 10%) of margin keeps markers off the frame.
            let margin = max(pow(hi / lo, 0.05), 1.1)
            lo /= margin
            hi *= margin
        }
        return lo...hi
    }

    /// Tick values: five evenly spaced on a linear axis; powers of ten on a log axis, with 2× and
    /// 5× added when the range spans too few of them.
    public func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let (lo, hi) = (range.lowerBound, range.upperBound)
        guard scale == .log else { return (0...4).map { i in lo + (hi - lo) * Double(i) / 4 } }
        let first = Int(log10(lo).rounded(.down)), last = Int(log10(hi).rounded(.up))
        for multipliers in [[1.0], [1.0, 2, 5], [1.0, 1.5, 2, 3, 5, 7]] {
            let ticks = (first...last).flatMap { e in multipliers.map { $0 * pow(10, Double(e)) } }.filter { range.contains($0) }
            if ticks.count >= 3 { return ticks }
        }
        return (0...4).map { i in lo * pow(hi / lo, Double(i) / 4) }
    }

    /// Distance of `value` from the range's start, on an axis `length` long.
    public func offset(_ value: Double, in range: ClosedRange<Double>, length: Double) -> Double {
        switch scale {
        case .linear: length * (value - range.lowerBound) / (range.upperBound - range.lowerBound)
        case .log: length * log(value / range.lowerBound) / log(range.upperBound / range.lowerBound)
        }
    }

    /// Distance of `value` from the range's end, on an axis `length` long (for y, drawn downwards).
    public func offsetFromEnd(_ value: Double, in range: ClosedRange<Double>, length: Double) -> Double {
        switch scale {
        case .linear: length * (range.upperBound - value) / (range.upperBound - range.lowerBound)
        case .log: length * log(range.upperBound / value) / log(range.upperBound / range.lowerBound)
        }
    }
}
