import Foundation

/// Reads the `text` field of one JSONL line without building the whole object: the line must be one
/// JSON object; other fields are checked for syntax and skipped. Written for speed on gigabytes of
/// JSONL; every index is checked against the line before it is read, so no input can read past it.
struct JSONLine {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    private static let maxDepth = 256
    private static let textKey = Array("text".utf8)

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Appends the UTF-8 bytes of `line`'s top-level "text" string to `text`; returns what is wrong otherwise.
    static func text(of line: UnsafeBufferPointer<UInt8>, into text: inout [UInt8]) -> String? {
        var parser = JSONLine(line)
        do throws(Problem) {
            try parser.object(text: &text)
            return nil
        } catch {
            return error.reason
        }
    }

    /// A syntax problem, as a phrase for "file:line: ...".
    struct Problem: Error {
        let reason: String
    }

    private var current: UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func skipSpace() {
        while let c = current, c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A { i += 1 }
    }

    private func problem(_ what: String) -> Problem {
        guard let c = current else { return Problem(reason: "\(what), but the line ends at column \(i + 1)") }
        let shown = c >= 0x20 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : String(format: "byte 0x%02X", c)
        return Problem(reason: "\(what), found \(shown) at column \(i + 1)")
    }

    private mutating func expect(_ c: UInt8, _ what: String) throws(Problem) {
        guard current == c else { throw problem("expected \(what)") }
        i += 1
    }

    private mutating func object(text: inout [UInt8]) throws(Problem) {
        skipSpace()
        guard current == UInt8(ascii: "{") else { throw problem("expected a JSON object {\"text\": ...}") }
        i += 1
        var found = false
        var key: [UInt8] = []
        skipSpace()
        if current == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipSpace()
                key.removeAll(keepingCapacity: true)
                try string(into: &key)
                skipSpace()
                try expect(UInt8(ascii: ":"), "':' after a key")
                skipSpace()
                if key == Self.textKey {
                    guard current == UInt8(ascii: "\"") else { throw Problem(reason: "field \"text\" is \(kindHere()), not a string") }
                    text.removeAll(keepingCapacity: true)
                    try string(into: &text)
                    found = true
                } else {
                    try skipValue(depth: 1)
                }
                skipSpace()
                if current == UInt8(ascii: ",") { i += 1; continue }
                try expect(UInt8(ascii: "}"), "',' or '}' in the object")
                break
            }
        }
        skipSpace()
        guard current == nil else { throw problem("expected the end of the line after the object") }
        guard found else { throw Problem(reason: "no \"text\" field; each line needs {\"text\": \"...\"}") }
    }

    private func kindHere() -> String {
        switch current {
        case UInt8(ascii: "{"): "an object"
        case UInt8(ascii: "["): "an array"
        case UInt8(ascii: "n"): "null"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "a boolean"
        default: "a number"
        }
    }

    /// Parses a string at `i` (its opening quote) and appends its decoded UTF-8 bytes to `out`.
    private mutating func string(into out: inout [UInt8]) throws(Problem) {
        try expect(UInt8(ascii: "\""), "a string")
        while let c = current {
            i += 1
            if c == UInt8(ascii: "\"") { return }
            if c < 0x20 { i -= 1; throw problem("control character inside a string") }
            if c != UInt8(ascii: "\\") { out.append(c); continue }
            guard let e = current else { break }
            i += 1
            if let byte = jsonSimpleEscape(e) {
                out.append(byte)
            } else if e == UInt8(ascii: "u") {
                try unicodeEscape(into: &out)
            } else {
                i -= 1
                throw problem("unknown escape in a string")
            }
        }
        throw problem("unterminated string")
    }

    private mutating func hex4() throws(Problem) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let c = current, let digit = Self.hexDigit(c) else { throw problem("expected 4 hex digits after \\u") }
            value = value << 4 | digit
            i += 1
        }
        return value
    }

    private static func hexDigit(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x30...0x39: UInt32(c - 0x30)
        case 0x41...0x46: UInt32(c - 0x41 + 10)
        case 0x61...0x66: UInt32(c - 0x61 + 10)
        default: nil
        }
    }

    /// A \uXXXX escape (after the `u`), joining surrogate pairs; a lone surrogate, which has no UTF-8 form, becomes U+FFFD.
    private mutating func unicodeEscape(into out: inout [UInt8]) throws(Problem) {
        var value = try hex4()
        if (0xD800..<0xDC00).contains(value), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
            let mark = i
            i += 2
            let low = try hex4()
            if (0xDC00..<0xE000).contains(low) {
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            } else {
                i = mark
            }
        }
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        out.append(contentsOf: String(Character(scalar)).utf8)
    }

    private mutating func skipValue(depth: Int) throws(Problem) {
        guard depth <= Self.maxDepth else { throw problem("nesting deeper than \(Self.maxDepth) levels") }
        guard let c = current else { throw problem("expected a value") }
        switch c {
        case UInt8(ascii: "\""):
            var scratch: [UInt8] = []
            try string(into: &scratch)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try skipContainer(open: c, depth: depth)
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), 0x30...0x39:
            while let d = current, (0x30...0x39).contains(d) || d == UInt8(ascii: "-") || d == UInt8(ascii: "+")
                || d == UInt8(ascii: ".") || d == UInt8(ascii: "e") || d == UInt8(ascii: "E") { i += 1 }
        default:
            throw problem("expected a value")
        }
    }

    private mutating func skipContainer(open: UInt8, depth: Int) throws(Problem) {
        let close = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
        i += 1
        skipSpace()
        if current == close { i += 1; return }
        var scratch: [UInt8] = []
        while true {
            skipSpace()
            if open == UInt8(ascii: "{") {
                try string(into: &scratch)
                skipSpace()
                try expect(UInt8(ascii: ":"), "':' after a key")
                skipSpace()
            }
            try skipValue(depth: depth + 1)
            skipSpace()
            if current == UInt8(ascii: ",") { i += 1; continue }
            try expect(close, "',' or '\(Character(Unicode.Scalar(close)))'")
            return
        }
    }

    private mutating func literal(_ word: StaticString) throws(Problem) {
        let n = word.utf8CodeUnitCount
        let base = word.utf8Start
        for k in 0..<n {
            guard current == base[k] else { throw problem("expected \(word)") }
            i += 1
        }
    }
}

/// The byte a one-letter JSON escape (`\n`, `\t`, `\r`, `\b`, `\f`, `\/`, `\\`, `\"`) stands for;
/// nil for `\u` and for letters JSON does not define.
func jsonSimpleEscape(_ e: UInt8) -> UInt8? {
    switch e {
    case UInt8(ascii: "n"): 0x0A
    case UInt8(ascii: "t"): 0x09
    case UInt8(ascii: "r"): 0x0D
    case UInt8(ascii: "b"): 0x08
    case UInt8(ascii: "f"): 0x0C
    case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "\""): e
    default: nil
    }
}
