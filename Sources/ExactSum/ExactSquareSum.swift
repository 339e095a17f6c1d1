import Dispatch

/// The exact Σ g² of Float buffers (the gradient norm under `distributed.exact`): the bits of the
/// total do not depend on the order of the elements nor on how they are split, so ZeRO-1's sum of
/// shard partial sums equals the unsharded sum bit for bit.
///
/// A Float g is m·2^(e−150) with an integer m < 2²⁴, so g² is m²·2^(2e−300) with m² < 2⁴⁸: the
/// squares are added as integers in one 128-bit bin per exponent e, and the bins go into an
/// `ExactDoubleSums` once (a few hundred exact Doubles), which also sums across ranks.
public struct ExactSquareSum {
    /// Low and high words of each exponent's bin (Float's 254 finite exponents; 0 and 1 share
    /// one unit, as subnormals do).
    private var low = [UInt64](repeating: 0, count: 256)
    private var high = [UInt64](repeating: 0, count: 256)
    /// NaNs and infinities seen (the total is then NaN or +∞).
    private var nans = 0, infinities = 0

    /// An empty sum.
    public init() {}

    /// Adds the squares of `values`, on up to `threads` threads (each element on one; integer bins
    /// add in any order, so the result does not depend on the split).
    public mutating func add(_ values: UnsafeBufferPointer<Float>, threads: Int = 1) {
        let n = values.count
        let parts = max(1, min(threads, n >> 16))
        guard parts > 1 else { return addSerially(values) }
        let partial = UnsafeMutableBufferPointer<ExactSquareSum>.allocate(capacity: parts)
        defer { partial.deallocate() }
        let pointer = SharedSquares(values: values, partial: partial)
        partial.initialize(repeating: ExactSquareSum())
        DispatchQueue.concurrentPerform(iterations: parts) { i in
            let range = (n * i / parts)..<(n * (i + 1) / parts)
            pointer.partial[i].addSerially(UnsafeBufferPointer(rebasing: pointer.values[range]))
        }
        for i in 0..<parts { merge(partial[i]) }
        _ = partial.deinitialize()
    }

    private mutating func addSerially(_ values: UnsafeBufferPointer<Float>) {
        // Squares are below 2⁴⁸, so a 64-bit bin takes 2¹⁶ of them without overflow: blocks of
        // that many go into plain 64-bit bins, which then carry into the 128-bit ones. Four bin
        // sets, taken in turn, keep runs of one exponent from waiting on the same bin.
        let sets = 4, block = 1 << 16
        let bins = UnsafeMutablePointer<UInt64>.allocate(capacity: sets * 256)
        defer { bins.deallocate() }
        var first = 0
        while first < values.count {
            let n = min(block, values.count - first), v = values.baseAddress! + first
            bins.initialize(repeating: 0, count: sets * 256)
            var special = 0
            for i in 0..<n {
                let bits = v[i].bitPattern & 0x7FFF_FFFF
                let e = Int(bits >> 23)
                let m = UInt64(bits & 0x7F_FFFF | (e == 0 ? 0 : 0x80_0000))
                special &+= e == 255 ? 1 : 0
                bins[(i & (sets - 1)) << 8 | e] &+= e == 255 ? 0 : m &* m
            }
            if special > 0 {
                for i in 0..<n where v[i].bitPattern & 0x7F80_0000 == 0x7F80_0000 {
                    if v[i].bitPattern & 0x7F_FFFF != 0 { nans += 1 } else { infinities += 1 }
                }
            }
            for set in 0..<sets {
                for e in 0..<255 {
                    let (sum, overflow) = low[e].addingReportingOverflow(bins[set << 8 | e])
                    low[e] = sum
                    if overflow { high[e] += 1 }
                }
            }
            first += n
        }
    }

    private mutating func merge(_ other: ExactSquareSum) {
        for e in 0..<256 {
            let (sum, overflow) = low[e].addingReportingOverflow(other.low[e])
            low[e] = sum
            high[e] += other.high[e] + (overflow ? 1 : 0)
        }
        nans += other.nans
        infinities += other.infinities
    }

    /// The total as an exact sum (one entry), to add across ranks (`ExactDoubleSums.allReduce`)
    /// or to other sums before it is read.
    public var sums: ExactDoubleSums {
        var out = ExactDoubleSums(count: 1)
        if nans > 0 { out.add(.nan, at: 0) }
        if infinities > 0 { out.add(.infinity, at: 0) }
        for e in 0..<255 where low[e] != 0 || high[e] != 0 {
            // The bin's unit: 2^(2·max(e, 1) − 300); each 32-bit piece is exact in a Double.
            let unit = 2 * max(e, 1) - 300
            let pieces = [(low[e] & 0xFFFF_FFFF, 0), (low[e] >> 32, 32), (high[e] & 0xFFFF_FFFF, 64), (high[e] >> 32, 96)]
            for (piece, shift) in pieces where piece != 0 {
                out.add(Double(sign: .plus, exponent: unit + shift, significand: Double(piece)), at: 0)
            }
        }
        return out
    }
}

/// The input and the per-thread sums, shared with the worker threads (each writes its own slot).
private struct SharedSquares: @unchecked Sendable {
    let values: UnsafeBufferPointer<Float>
    let partial: UnsafeMutableBufferPointer<ExactSquareSum>
}
