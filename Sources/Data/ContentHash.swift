/// 64-bit FNV-1a: a dependency-free fingerprint for noticing changed files (not a cryptographic hash).
public struct ContentHash: Sendable {
    /// The hash of everything fed so far.
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    /// Starts an empty hash.
    public init() {}

    /// Feeds bytes.
    public mutating func update<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        var h = value
        for b in bytes {
            h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3
        }
        value = h
    }

    /// Feeds an integer as 8 little-endian bytes, so that lengths delimit what follows.
    public mutating func update(_ number: Int) {
        withUnsafeBytes(of: UInt64(truncatingIfNeeded: number).littleEndian) { update($0) }
    }

    /// The value as 16 hex digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
