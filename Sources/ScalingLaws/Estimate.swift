/// A fitted quantity with its bootstrap confidence interval.
public struct Estimate: Sendable, Equatable, Codable {
    /// The value fitted on all runs.
    public var value: Double
    /// Lower end of the percentile interval over bootstrap refits (nil without refits).
    public var low: Double?
    /// Upper end of the percentile interval over bootstrap refits (nil without refits).
    public var high: Double?

    /// An estimate with its interval.
    public init(value: Double, low: Double? = nil, high: Double? = nil) {
        self.value = value
        self.low = low
        self.high = high
    }

    /// `value` with the percentile interval of `samples` at `confidence` (e.g. 0.95); without
    /// samples (no refit succeeded) the interval is absent.
    public init(value: Double, samples: [Double], confidence: Double) {
        self.init(value: value)
        let finite = samples.filter(\.isFinite).sorted()
        guard !finite.isEmpty else { return }
        let tail = (1 - confidence) / 2
        low = Self.quantile(finite, tail)
        high = Self.quantile(finite, 1 - tail)
    }

    /// Whether `x` lies in the interval (false without one).
    public func covers(_ x: Double) -> Bool {
        guard let low, let high else { return false }
        return low <= x && x <= high
    }

    /// The q-quantile of sorted values by linear interpolation between order statistics
    /// (Hyndman & Fan's type 7, numpy's default).
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + fraction * (sorted[upper] - sorted[lower])
    }
}
