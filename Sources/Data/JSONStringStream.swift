/// Decodes the content of one JSON string that arrives in blocks (a JSONL "text" value of hundreds
/// of megabytes), as strictly as `JSONLine` does: the same escapes, surrogate pairs and errors.
struct JSONStringStream {
    /// An escape is at most 12 bytes (`\uD83D\uDE00`): a block is decoded up to this many bytes
    /// before its end unless it is the line's last, so no escape is split between blocks.
    static let lookahead = 12

    /// Decodes `bytes` (the line's bytes from column `column` on, 0-based) into `out` up to the
    /// string's closing quote (returns its index + 1 and true) or, when `final` is false, up to
    /// `lookahead` bytes before the end (returns where it stopped and false).
    static func decode(
        _ bytes: UnsafeBufferPointer<UInt8>, column: Int, final: Bool, into out: inout [UInt8]
    ) throws(JSONLine.Problem) -> (consumed: Int, closed: Bool) {
        let n = bytes.count
        let stop = final ? n : n - lookahead
        var i = 0
        func problem(_ what: String, at k: Int) -> JSONLine.Problem {
            k < n ? JSONLine.Problem(reason: "\(what) at column \(column + k + 1)")
                : JSONLine.Problem(reason: "\(what), but the line ends at column \(column + k + 1)")
        }
        while i < stop {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { return (i + 1, true) }
            if c < 0x20 { throw problem("control character inside a string", at: i) }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < n else { throw problem("unterminated string", at: i + 1) }
            let e = bytes[i + 1]
            i += 2
            if let byte = jsonSimpleEscape(e) {
                out.append(byte)
                continue
            }
            switch e {
            case UInt8(ascii: "u"):
                guard var value = hex4(bytes, at: i) else { throw problem("expected 4 hex digits after \\u", at: i) }
                i += 4
                if (0xD800..<0xDC00).contains(value), i + 1 < n, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u"),
                   let low = hex4(bytes, at: i + 2), (0xDC00..<0xE000).contains(low) {
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                // A lone surrogate has no UTF-8 form: U+FFFD, as `JSONLine` does.
                out.append(contentsOf: String(Character(Unicode.Scalar(value) ?? "\u{FFFD}")).utf8)
            default: throw problem("unknown escape in a string", at: i - 1)
            }
        }
        if final { throw problem("unterminated string", at: n) }
        return (i, false)
    }

    private static func hex4(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> UInt32? {
        guard i + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for k in i..<(i + 4) {
            let c = bytes[k]
            let digit: UInt32
            switch c {
            case 0x30...0x39: digit = UInt32(c - 0x30)
            case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }
}
