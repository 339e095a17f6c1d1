/// The order in which training visits samples: epoch after epoch, each a pseudo-random permutation of all sample indices drawn from (seed, epoch) alone.
///
/// Sample `k` is the window of T+1 tokens starting at token k·T. A lookup costs O(1) memory:
/// the permutation is a keyed Feistel network over the next power of four at or above
/// `sampleCount`, cycle-walked until it lands inside 0..<sampleCount, so it scales to any
/// number of samples without materializing a shuffled array.
public struct SampleOrder: Sendable, Hashable {
    /// How many samples one epoch holds.
    public let sampleCount: Int
    /// The seed the permutations are drawn from.
    public let seed: UInt64
    /// Bits in each Feistel half; the network permutes 0..<4^halfBits.
    private let halfBits: Int
    private static let rounds = 8

    /// An order over `sampleCount` (at least 1) samples, seeded by `seed`.
    public init(sampleCount: Int, seed: UInt64) {
        precondition(sampleCount >= 1, "SampleOrder needs at least one sample, got \(sampleCount)")
        self.sampleCount = sampleCount
        self.seed = seed
        var bits = 1
        while bits < 62, (1 << (2 * bits)) < sampleCount { bits += 1 }
        halfBits = bits
    }

    /// The number of samples of windows of `blockSize`+1 tokens starting at multiples of `blockSize` in `tokenCount` tokens.
    public static func sampleCount(tokenCount: Int, blockSize: Int) -> Int {
        guard blockSize > 0, tokenCount > 1 else { return 0 }
        return (tokenCount - 1) / blockSize
    }

    /// The epoch that global stream position `position` falls in.
    public func epoch(ofStreamPosition position: Int) -> Int {
        precondition(position >= 0, "stream position must be non-negative, got \(position)")
        return position / sampleCount
    }

    /// The sample index visited at global stream position `position` (epoch = position / sampleCount).
    public func sample(atStreamPosition position: Int) -> Int {
        let epoch = epoch(ofStreamPosition: position)
        return permute(position - epoch * sampleCount, epoch: epoch)
    }

    /// The image of `index` under epoch `epoch`'s permutation of 0..<sampleCount.
    public func permute(_ index: Int, epoch: Int) -> Int {
        precondition(index >= 0 && index < sampleCount, "sample index \(index) outside 0..<\(sampleCount)")
        let epochKey = SplitMix64.mix(seed ^ SplitMix64.mix(UInt64(truncatingIfNeeded: epoch) &+ 0x5851_F42D_4C95_7F2D))
        var value = UInt64(index)
        // The network permutes the whole power-of-four domain, so walking its cycle from a
        // point inside 0..<sampleCount must come back inside; the domain is < 4x sampleCount,
        // so that takes fewer than four steps on average.
        repeat {
            value = feistel(value, key: epochKey)
        } while value >= UInt64(sampleCount)
        return Int(value)
    }

    private func feistel(_ value: UInt64, key: UInt64) -> UInt64 {
        let mask: UInt64 = (1 << UInt64(halfBits)) - 1
        var left = (value >> UInt64(halfBits)) & mask
        var right = value & mask
        for round in 0..<SampleOrder.rounds {
            let roundKey = key &+ UInt64(round) &* 0x9E37_79B9_7F4A_7C15
            let f = SplitMix64.mix(right ^ roundKey) & mask
            (left, right) = (right, left ^ f)
        }
        return (left << UInt64(halfBits)) | right
    }
}
