import Foundation

/// Reads one JSONL line too long to hold (a whole corpus as one `{"text": "..."}` line) through a
/// `ByteWindow` that moves on as it goes, so memory does not grow with the line.
///
/// The line is scanned until its top-level "text" string has gone on for `threshold` bytes; from
/// there that string is decoded block by block (`JSONStringStream`) and handed to `text`. The rest
/// of the object (what comes before the string, and at most `suffixLimit` bytes after it) is then
/// checked by `JSONLine` as strictly as a short line, with the string emptied: any syntax error is
/// reported, and when another "text" field overrules the streamed one (JSON's last one wins), its
/// text is returned instead. A line with no such string is held whole, as a short line is.
enum LongJSONLine {
    /// What reading the line found.
    enum Outcome {
        /// The window holds the whole line from its start to `end` (the next line's start): read it as usual.
        case held(end: Int)
        /// The "text" string was streamed; `overruledBy` is the text of a later "text" field that wins, if any.
        case streamed(end: Int, overruledBy: [UInt8]?)
    }

    private static let block = 1 << 20

    /// Reads the line starting at `lineStart`; `text` receives the streamed string's decoded bytes in order.
    static func read(
        _ window: ByteWindow, file: CorpusFile, lineStart s: Int, threshold: Int, suffixLimit: Int,
        text: ([UInt8]) throws -> Void
    ) throws -> Outcome {
        let quote: Int
        switch try findLongText(window, lineStart: s, threshold: threshold) {
        case .end(let end): return .held(end: end)
        case .string(let at): quote = at
        }
        let prefix = Array(window.bytes(from: s, to: quote))
        var d = quote + 1
        var decoded: [UInt8] = []
        while true {
            let available = try window.fill(upTo: d + block)
            let final = window.length.map { available >= $0 } ?? false
            let (consumed, closed): (Int, Bool)
            do throws(JSONLine.Problem) {
                (consumed, closed) = try JSONStringStream.decode(window.bytes(from: d, to: available), column: d - s, final: final, into: &decoded)
            } catch {
                throw lineError(file, s, error.reason)
            }
            try text(decoded)
            decoded.removeAll(keepingCapacity: true)
            d += consumed
            if closed { break }
            _ = try window.advance(to: d)
        }
        guard let end = try window.lineCut(atOrAfter: d + 1, within: suffixLimit) ?? (window.length == d ? d : nil) else {
            throw lineError(file, s, "after its \"text\" string the line goes on for more than \(suffixLimit >> 10) KiB; a line this long must keep its other fields short")
        }
        var suffixEnd = end
        if suffixEnd > d, window[suffixEnd - 1] == 0x0A { suffixEnd -= 1 }
        let suffix = Array(window.bytes(from: d, to: suffixEnd))
        var emptied: [UInt8] = [], probed: [UInt8] = []
        if let reason = JSONLine.text(of: prefix + Array(#""""#.utf8) + suffix) {
            throw lineError(file, s, shiftColumn(reason, after: prefix.count + 2, by: d - s - prefix.count - 2))
        }
        _ = JSONLine.text(of: prefix + Array(#""""#.utf8) + suffix, into: &emptied)
        _ = JSONLine.text(of: prefix + Array(#""x""#.utf8) + suffix, into: &probed)
        // The streamed string is the winner exactly when the probe's content comes back.
        return .streamed(end: end, overruledBy: emptied.isEmpty && probed == [UInt8(ascii: "x")] ? nil : emptied)
    }

    private enum Found {
        case string(quote: Int)
        case end(Int)
    }

    /// Scans from the line's start for a top-level "text" string longer than `threshold`: its
    /// opening quote, or (the window then holding the whole line) the line's end when there is none.
    private static func findLongText(_ window: ByteWindow, lineStart s: Int, threshold: Int) throws -> Found {
        var p = s, inString = false, escaped = false, depth = 0, stringStart = s
        while true {
            let end = try window.fill(upTo: p + block)
            guard p < end else { return .end(end) }
            while p < end {
                let c = window[p]
                if c == 0x0A { return .end(p + 1) }
                if inString {
                    if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                    if inString, p - stringStart == threshold + 1, depth == 1, isTextKey(window, before: stringStart, lineStart: s) {
                        return .string(quote: stringStart)
                    }
                } else if c == UInt8(ascii: "\"") {
                    inString = true
                    stringStart = p
                } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                    depth += 1
                } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    depth -= 1
                }
                p += 1
            }
        }
    }

    /// Whether the bytes before the quote at `q` are a key `"text"` and a colon, after `{` or `,`.
    private static func isTextKey(_ window: ByteWindow, before q: Int, lineStart s: Int) -> Bool {
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D }
        var k = q - 1
        while k >= s, isSpace(window[k]) { k -= 1 }
        guard k >= s, window[k] == UInt8(ascii: ":") else { return false }
        k -= 1
        while k >= s, isSpace(window[k]) { k -= 1 }
        let key = Array(#""text""#.utf8)
        guard k - key.count + 1 >= s, (0..<key.count).allSatisfy({ window[k - key.count + 1 + $0] == key[$0] }) else { return false }
        k -= key.count
        while k >= s, isSpace(window[k]) { k -= 1 }
        return k >= s && (window[k] == UInt8(ascii: "{") || window[k] == UInt8(ascii: ","))
    }

    private static func lineError(_ file: CorpusFile, _ offset: Int, _ reason: String) -> DataError {
        let number = (try? CorpusLines.lineNumber(of: file, atOffset: offset)).map(String.init) ?? "?"
        return DataError("\(file.path):\(number): \(reason); fix or remove that line (JSONL needs one {\"text\": \"...\"} object per line)")
    }

    /// Moves a "column N" past `after` in `reason` by `shift`: the checked object lacks the string's content.
    private static func shiftColumn(_ reason: String, after: Int, by shift: Int) -> String {
        guard let range = reason.range(of: #"column \d+"#, options: .regularExpression),
              let column = Int(reason[range].dropFirst(7)), column > after else { return reason }
        return reason.replacingCharacters(in: range, with: "column \(column + shift)")
    }
}

extension JSONLine {
    /// The reason `line` is not a JSONL object with a string "text", or nil.
    static func text(of line: [UInt8]) -> String? {
        var scratch: [UInt8] = []
        return line.withUnsafeBufferPointer { text(of: $0, into: &scratch) }
    }

    /// Appends `line`'s "text" to `out`; returns the reason it has none.
    static func text(of line: [UInt8], into out: inout [UInt8]) -> String? {
        line.withUnsafeBufferPointer { text(of: $0, into: &out) }
    }
}
