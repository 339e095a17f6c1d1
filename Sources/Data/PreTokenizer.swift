/// GPT-2's pre-tokenizer: splits text into the words that BPE merges never cross, as the pattern
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` would, but by a
/// hand-written scanner over UTF-8 (Swift Regex is orders of magnitude slower on megabytes).
public enum PreTokenizer {
    /// Splits UTF-8 text into GPT-2 words.
    public static func split(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        return split(bytes: bytes).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    /// Splits arbitrary bytes into word ranges that tile the input exactly; invalid UTF-8 counts as punctuation.
    public static func split(bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        bytes.withUnsafeBufferPointer { buffer in
            forEachWord(in: buffer) { ranges.append($0..<$1) }
        }
        return ranges
    }

    /// Calls `body(start, end)` for each word of `buffer`, in order.
    @inlinable
    public static func forEachWord(in buffer: UnsafeBufferPointer<UInt8>, _ body: (Int, Int) -> Void) {
        let n = buffer.count
        var i = 0
        while i < n {
            let end = wordEnd(in: buffer, from: i)
            body(i, end)
            i = end
        }
    }

    /// Where the word that starts at `start` ends, following the pattern's alternatives in order.
    @usableFromInline
    static func wordEnd(in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let n = buffer.count
        let first = buffer[start]
        if first == UInt8(ascii: "'"), start + 1 < n {
            let c1 = buffer[start + 1]
            if c1 == UInt8(ascii: "s") || c1 == UInt8(ascii: "t") || c1 == UInt8(ascii: "m") || c1 == UInt8(ascii: "d") {
                return start + 2
            }
            if start + 2 < n {
                let c2 = buffer[start + 2]
                if (c1 == UInt8(ascii: "r") && c2 == UInt8(ascii: "e")) || (c1 == UInt8(ascii: "v") && c2 == UInt8(ascii: "e"))
                    || (c1 == UInt8(ascii: "l") && c2 == UInt8(ascii: "l")) {
                    return start + 3
                }
            }
        }
        let (class0, length0) = characterClass(in: buffer, at: start)
        var runStart = start
        var runClass = class0
        if first == 0x20, start + 1 < n {
            let (class1, _) = characterClass(in: buffer, at: start + 1)
            if class1 != .space {
                runStart = start + 1
                runClass = class1
            }
        }
        if runClass != .space {
            var j = runStart
            while j < n {
                let (c, length) = characterClass(in: buffer, at: j)
                if c != runClass { break }
                j += length
            }
            return j
        }
        // A whitespace run leaves its last character to the word that follows (`\s+(?!\S)`),
        // unless the run is one character long or reaches the end of the input (`\s+`).
        var j = start + length0
        var lastStart = start
        while j < n {
            let (c, length) = characterClass(in: buffer, at: j)
            if c != .space { break }
            lastStart = j
            j += length
        }
        if j == n || lastStart == start { return j }
        return lastStart
    }

    /// The pattern's four kinds of character.
    @usableFromInline
    enum CharacterClass: UInt8, Sendable {
        case letter, number, space, other
    }

    /// The class of an ASCII byte, computed rather than looked up (a global table costs a lazy-initialization check per call).
    @inlinable
    static func asciiClass(_ b: UInt8) -> CharacterClass {
        if (b | 0x20) &- 0x61 < 26 { return .letter }
        if b &- 0x30 < 10 { return .number }
        // Python's `regex` \s is Unicode White_Space: 0x1C...0x1F are not in it.
        if b == 0x20 || b &- 0x09 < 5 { return .space }
        return .other
    }

    /// The class and UTF-8 length of the character at `i`; a malformed sequence is one byte of `.other`.
    @usableFromInline
    static func characterClass(in buffer: UnsafeBufferPointer<UInt8>, at i: Int) -> (CharacterClass, Int) {
        let b0 = buffer[i]
        if b0 < 0x80 {
            return (asciiClass(b0), 1)
        }
        let (scalarValue, length) = decodeScalar(in: buffer, at: i)
        guard length > 0, let scalar = Unicode.Scalar(scalarValue) else { return (.other, 1) }
        let properties = scalar.properties
        if properties.isWhitespace { return (.space, length) }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return (.letter, length)
        case .decimalNumber, .letterNumber, .otherNumber:
            return (.number, length)
        default:
            return (.other, length)
        }
    }

    /// Decodes one non-ASCII scalar at `i`; length 0 if the bytes there are not well-formed UTF-8.
    @usableFromInline
    static func decodeScalar(in buffer: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int) {
        let n = buffer.count
        let b0 = buffer[i]
        var length: Int
        var value: UInt32
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: length = 2; value = UInt32(b0 & 0x1F)
        case 0xE0: length = 3; value = 0; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3; value = UInt32(b0 & 0x0F)
        case 0xED: length = 3; value = 0x0D; high = 0x9F
        case 0xF0: length = 4; value = 0; low = 0x90
        case 0xF1...0xF3: length = 4; value = UInt32(b0 & 0x07)
        case 0xF4: length = 4; value = 4; high = 0x8F
        default: return (0, 0)
        }
        guard i + length <= n else { return (0, 0) }
        for k in 1..<length {
            let b = buffer[i + k]
            // Only the second byte has the narrowed range that rules out overlongs and surrogates.
            if k == 1 {
                guard b >= low, b <= high else { return (0, 0) }
            } else {
                guard b >= 0x80, b <= 0xBF else { return (0, 0) }
            }
            value = (value << 6) | UInt32(b & 0x3F)
        }
        return (value, length)
    }
}
