/// Seeded resampling of runs with replacement: resample r of seed s is the same on every machine.
public struct Bootstrap: Sendable, Equatable {
    /// Number of resamples.
    public var resamples: Int
    /// Seeds the resampling.
    public var seed: UInt64
    /// Coverage of the percentile intervals, e.g. 0.95.
    public var confidence: Double

    /// A bootstrap of `resamples` resamples.
    public init(resamples: Int, seed: UInt64, confidence: Double = 0.95) {
        self.resamples = resamples
        self.seed = seed
        self.confidence = confidence
    }

    /// The indices of resample `r` of `count` items: `count` draws with replacement.
    public func indices(resample r: Int, count: Int) -> [Int] {
        var random = ResampleRandom(seed: seed, stream: UInt64(r))
        return (0..<count).map { _ in Int(random.next() % UInt64(count)) }
    }

    /// `statistic` over every resample of `items`; nil entries are resamples where it failed.
    public func map<Item, Value>(_ items: [Item], _ statistic: ([Item]) -> Value?) -> [Value?] {
        (0..<resamples).map { r in statistic(indices(resample: r, count: items.count).map { items[$0] }) }
    }
}

/// Vigna's xorshift64* keyed by (seed, stream): small, fast and the same on every machine.
public struct ResampleRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// The generator for `stream` of `seed`.
    public init(seed: UInt64, stream: UInt64) {
        // Golden-ratio offsets keep (seed, stream) pairs apart and the state nonzero in practice.
        state = (seed &* 0x9E37_79B9_7F4A_7C15) ^ ((stream &+ 1) &* 0xD1B5_4A32_D192_ED03)
        if state == 0 { state = 0x9E37_79B9_7F4A_7C15 }
        for _ in 0..<4 { _ = next() }
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}
