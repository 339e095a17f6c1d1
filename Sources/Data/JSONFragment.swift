/// The text inside a piece of a JSONL line too long to sample whole (a line of megabytes is cut
/// where the tokenizer sample's slice ends, not where the line does): read leniently, since a
/// fragment is not a JSON value. Used only for the tokenizer's sample, never for the shards, whose
/// lines `JSONLine` parses strictly; so an odd fragment can only skew which merges are learned.
enum JSONFragment {
    private static let textKey = Array(#""text""#.utf8)

    /// Appends the string content of `fragment` to `out`: from just after `"text": "` when the
    /// fragment holds the key (the line's start), else from its first byte; up to the string's
    /// closing quote or the fragment's end. Escapes are decoded; a broken one at an edge is dropped.
    static func text(of fragment: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var i = valueStart(fragment) ?? 0
        let n = fragment.count
        while i < n {
            let c = fragment[i]
            i += 1
            if c == UInt8(ascii: "\"") { return }
            if c != UInt8(ascii: "\\") { out.append(c); continue }
            guard i < n else { return }
            let e = fragment[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "u"):
                guard i + 4 <= n, let value = UInt32(String(decoding: fragment[i..<(i + 4)], as: UTF8.self), radix: 16) else { return }
                out.append(contentsOf: String(Character(Unicode.Scalar(value) ?? "\u{FFFD}")).utf8)
                i += 4
            default: out.append(e)
            }
        }
    }

    /// The offset just after the opening quote of the "text" value, when the fragment holds the key.
    private static func valueStart(_ fragment: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = fragment.count, k = textKey.count
        var at = 0
        // The key sits near a line's start; look no further than 4 KiB for it.
        while at + k <= min(n, 4096) {
            if fragment[at] == textKey[0], zip(textKey, fragment[at..<(at + k)]).allSatisfy({ $0 == $1 }) {
                var j = at + k
                while j < n, fragment[j] == 0x20 || fragment[j] == 0x09 { j += 1 }
                guard j < n, fragment[j] == UInt8(ascii: ":") else { at += 1; continue }
                j += 1
                while j < n, fragment[j] == 0x20 || fragment[j] == 0x09 { j += 1 }
                if j < n, fragment[j] == UInt8(ascii: "\"") { return j + 1 }
            }
            at += 1
        }
        return nil
    }
}
