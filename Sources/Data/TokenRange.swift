/// The vocabulary check of token shards, 64 tokens at a time (four 16-lane vectors; AVX2's vpmaxuw in the release build).
enum TokenRange {
    /// The index of the first token `limit` or larger, or nil when every token is below `limit`.
    static func firstToken(atLeast limit: UInt16, in tokens: UnsafeBufferPointer<UInt16>) -> Int? {
        guard let base = tokens.baseAddress, limit > 0 else { return tokens.isEmpty ? nil : 0 }
        let block = 1 << 14
        var start = 0
        while start < tokens.count {
            let count = min(block, tokens.count - start)
            // A whole block's maximum first: the exact position is only looked for in a bad block.
            if maximum(base + start, count: count) >= limit {
                for i in start..<(start + count) where UInt16(littleEndian: base[i]) >= limit { return i }
            }
            start += count
        }
        return nil
    }

    /// The largest of `count` little-endian tokens at `pointer`.
    static func maximum(_ pointer: UnsafePointer<UInt16>, count: Int) -> UInt16 {
        typealias Lanes = SIMD16<UInt16>
        let raw = UnsafeRawPointer(pointer)
        var a = Lanes(repeating: 0), b = a, c = a, d = a
        var i = 0
        while i + 64 <= count {
            a = pointwiseMax(a, Lanes(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Lanes.self)))
            b = pointwiseMax(b, Lanes(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i + 32, as: Lanes.self)))
            c = pointwiseMax(c, Lanes(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i + 64, as: Lanes.self)))
            d = pointwiseMax(d, Lanes(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i + 96, as: Lanes.self)))
            i += 64
        }
        var result = pointwiseMax(pointwiseMax(a, b), pointwiseMax(c, d)).max()
        while i < count {
            result = max(result, UInt16(littleEndian: pointer[i]))
            i += 1
        }
        return result
    }
}

extension SIMD16 where Scalar == UInt16 {
    /// Lanes read from little-endian storage.
    init(littleEndian value: Self) {
        #if _endian(little)
        self = value
        #else
        self = Self((0..<16).map { UInt16(littleEndian: value[$0]) })
        #endif
    }
}
