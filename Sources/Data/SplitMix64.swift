/// Sebastiano Vigna's SplitMix64: a tiny, fast, seedable generator whose whole state is one `UInt64`.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable, Codable {
    /// The complete generator state; saving and restoring it resumes the same stream.
    public var state: UInt64

    /// Starts the stream at `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// Returns the next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// SplitMix64's finalizer: a bijective 64-bit mixer, usable as a stateless hash.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
