/// GPT-2's reversible map between bytes and printable Unicode scalars (`bytes_to_unicode`), used to spell tokens in vocab.json and merges.txt.
public enum ByteEncoder {
    /// The 256 bytes in GPT-2's order: printable Latin-1 first, then the rest; token id `i` is the byte `byteOrder[i]`.
    public static let byteOrder: [UInt8] = {
        var order: [UInt8] = []
        order.reserveCapacity(256)
        let printable = Array(33...126) + Array(161...172) + Array(174...255)
        var isPrintable = [Bool](repeating: false, count: 256)
        for b in printable {
            order.append(UInt8(b))
            isPrintable[b] = true
        }
        for b in 0..<256 where !isPrintable[b] {
            order.append(UInt8(b))
        }
        return order
    }()

    /// The scalar that stands for each byte: printable bytes stand for themselves, the others for U+0100 onwards.
    public static let scalarForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for (index, byte) in byteOrder.enumerated() {
            if index < 188 {
                table[Int(byte)] = Unicode.Scalar(byte)
            } else {
                // 256...323 are all valid scalars, so the unwrap cannot fail.
                table[Int(byte)] = Unicode.Scalar(next) ?? " "
                next += 1
            }
        }
        return table
    }()

    /// The inverse of `scalarForByte`.
    public static let byteForScalar: [Unicode.Scalar: UInt8] = {
        var map: [Unicode.Scalar: UInt8] = [:]
        for b in 0..<256 {
            map[scalarForByte[b]] = UInt8(b)
        }
        return map
    }()

    /// Spells bytes as GPT-2 writes them in vocab.json and merges.txt.
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var scalars = String.UnicodeScalarView()
        for b in bytes {
            scalars.append(scalarForByte[Int(b)])
        }
        return String(scalars)
    }

    /// Reads back a GPT-2 spelling; nil if it holds a scalar that stands for no byte.
    public static func decode(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            guard let b = byteForScalar[scalar] else { return nil }
            bytes.append(b)
        }
        return bytes
    }
}
