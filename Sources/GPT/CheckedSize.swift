/// Products and sums of non-negative sizes, nil on overflow (or when a term is already nil), for
/// sizes that come from outside.
public enum CheckedSize {
    /// The product of `factors`, or nil when one is negative or the product overflows.
    public static func product(_ factors: [Int]) -> Int? {
        var p = 1
        for f in factors {
            guard f >= 0 else { return nil }
            let (r, overflow) = p.multipliedReportingOverflow(by: f)
            if overflow { return nil }
            p = r
        }
        return p
    }

    /// The sum of `terms`, or nil when one is nil or negative or the sum overflows.
    public static func sum(_ terms: [Int?]) -> Int? {
        var s = 0
        for t in terms {
            guard let t, t >= 0 else { return nil }
            let (r, overflow) = s.addingReportingOverflow(t)
            if overflow { return nil }
            s = r
        }
        return s
    }
}

/// A running offset into a flat buffer that reports overflow instead of trapping or wrapping:
/// each `take` reserves the product of its factors and returns where the reservation begins. The
/// layouts use it both to lay out the buffers and, with dimensions from outside, to check them.
struct CheckedOffset {
    /// Floats reserved so far (meaningless once `overflowed`).
    private(set) var value = 0
    /// Whether a product or the running sum left Int's range (or a factor was negative).
    private(set) var overflowed = false

    /// Reserves factors[0] × factors[1] × … floats; returns their first index (0 after overflow).
    mutating func take(_ factors: Int...) -> Int {
        guard !overflowed, let n = CheckedSize.product(factors), let next = CheckedSize.sum([value, n]) else {
            overflowed = true
            return 0
        }
        defer { value = next }
        return value
    }
}
