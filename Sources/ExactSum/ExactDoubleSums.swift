import Collectives

// Each value is a long fixed-point integer in units of 2⁻¹⁰⁸⁸ (below Double's smallest
// subnormal, 2⁻¹⁰⁷⁴), in 68 limbs of 32 bits held in Int64s: every finite Double adds exactly, so
// sums are exact, and the limbs of several ranks add with MPI's Int64 sum (every limb of a
// normalized sum is below 2³², leaving 31 bits of headroom). Infinities and NaNs are counted
// beside the limbs. A total is rounded to the nearest Double once, when it is read.

private let limbCount = 68
private let specials = 3  // NaN, +∞, −∞ counts
private let stride = limbCount + specials
private let unitExponent = -1088

/// A vector of exact sums of Doubles (losses, counts, evaluation sums): the totals do not depend
/// on the order of the additions nor on how they are spread over ranks.
public struct ExactDoubleSums: Sendable, Equatable {
    /// Number of sums.
    public let count: Int
    private var storage: [Int64]
    private var addsSinceNormal = 0

    /// `count` sums, all zero.
    public init(count: Int) {
        self.count = count
        storage = [Int64](repeating: 0, count: count * stride)
    }

    /// Adds `value` to sum `index`.
    public mutating func add(_ value: Double, at index: Int) {
        precondition(index >= 0 && index < count)
        let base = index * stride
        guard value.isFinite else {
            storage[base + limbCount + (value.isNaN ? 0 : value > 0 ? 1 : 2)] += 1
            return
        }
        guard value != 0 else { return }
        let biased = Int(value.exponentBitPattern)
        let m = value.significandBitPattern | (biased == 0 ? 0 : 1 << 52)
        let position = (biased == 0 ? -1074 : biased - 1075) - unitExponent
        let limb = position >> 5, shift = UInt64(position & 31)
        let parts = [(m << shift) & 0xFFFF_FFFF, (m >> (32 - shift)) & 0xFFFF_FFFF, m >> (64 - shift)]
        for (k, part) in parts.enumerated() {
            let delta = Int64(part)
            storage[base + limb + k] += value < 0 ? -delta : delta
        }
        addsSinceNormal += 1
        if addsSinceNormal >= 1 << 30 { normalize() }
    }

    /// Adds another vector's sums into these (as MPI's sum does across ranks).
    public mutating func add(_ other: ExactDoubleSums) {
        precondition(other.count == count)
        var o = other
        o.normalize()
        normalize()
        for i in storage.indices { storage[i] += o.storage[i] }
        normalize()
    }

    /// Sums these vectors across ranks, in place, with one Int64 all-reduce.
    public mutating func allReduce(comm: Communicator) throws(CollectiveError) {
        guard comm.size > 1 else { return }
        normalize()
        try storage.withUnsafeMutableBufferPointer { (b) throws(CollectiveError) in try comm.allReduceSum(b) }
        normalize()
    }

    /// Sum `index`, correctly rounded to the nearest Double (NaN if it saw a NaN or both infinities).
    public func value(at index: Int) -> Double {
        precondition(index >= 0 && index < count)
        let base = index * stride
        let nan = storage[base + limbCount], plus = storage[base + limbCount + 1], minus = storage[base + limbCount + 2]
        if nan > 0 || (plus > 0 && minus > 0) { return .nan }
        if plus > 0 { return .infinity }
        if minus > 0 { return -.infinity }
        var limbs = Array(storage[base..<(base + limbCount)])
        carry(&limbs)
        let negative = limbs[limbCount - 1] < 0
        if negative {
            for i in limbs.indices { limbs[i] = -limbs[i] }
            carry(&limbs)
        }
        let magnitude = roundedMagnitude(limbs)
        return negative ? -magnitude : magnitude
    }

    /// Every sum, correctly rounded.
    public var values: [Double] { (0..<count).map { value(at: $0) } }

    /// Carries so that every limb but the top one lies in [0, 2³²): the one form of each total.
    private mutating func normalize() {
        for i in 0..<count {
            var limbs = Array(storage[(i * stride)..<(i * stride + limbCount)])
            carry(&limbs)
            storage.replaceSubrange((i * stride)..<(i * stride + limbCount), with: limbs)
        }
        addsSinceNormal = 0
    }
}

/// Propagates carries upward; the top limb keeps the sign.
private func carry(_ limbs: inout [Int64]) {
    for k in 0..<(limbs.count - 1) {
        let c = limbs[k] >> 32
        limbs[k] -= c << 32
        limbs[k + 1] += c
    }
}

/// The nearest Double to a non-negative normalized limb vector: its top 64 bits, with every bit
/// below them folded into the lowest (a sticky bit, so that Double's rounding of the 64 bits is
/// the rounding of the whole), scaled by their place.
private func roundedMagnitude(_ limbs: [Int64]) -> Double {
    guard let k = limbs.lastIndex(where: { $0 != 0 }) else { return 0 }
    func limb(_ j: Int) -> UInt64 { j >= 0 ? UInt64(limbs[j]) : 0 }
    let top = limb(k)
    guard top < 1 << 32 else { return .infinity }  // beyond the top limb: above Double's range
    let lz = UInt64(top.leadingZeroBitCount - 32)
    var window = (top << (32 + lz)) | (limb(k - 1) << lz) | (limb(k - 2) >> (32 - lz))
    let droppedLow = limb(k - 2) & ((1 << (32 - lz)) - 1)
    let sticky = droppedLow != 0 || (k >= 3 && limbs[0..<(k - 2)].contains { $0 != 0 })
    if sticky { window |= 1 }
    let exponent = 32 * (k - 1) - Int(lz) + unitExponent
    return Double(sign: .plus, exponent: exponent, significand: Double(window))
}

extension Communicator {
    /// The exact sums across ranks of each rank's `values` (for one value per rank each; to sum
    /// many values per rank, add them into `ExactDoubleSums` and call `allReduce`).
    public func exactSum(_ values: [Double]) throws(CollectiveError) -> [Double] {
        var sums = ExactDoubleSums(count: values.count)
        for (i, v) in values.enumerated() { sums.add(v, at: i) }
        try sums.allReduce(comm: self)
        return sums.values
    }
}
