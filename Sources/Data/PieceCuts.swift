/// Where a corpus file may be cut into pieces that encode independently.
///
/// A text document is cut only where GPT-2's pre-tokenizer would start a new word whether or not
/// it saw the bytes after the cut, so the pieces' tokens are exactly the whole document's tokens:
/// how a document is split (by rank count or piece size) never changes the shards.
extension PreTokenizer {
    /// How good a cut before byte `p` of `buffer` is: 2 at a line start, 1 between two words, 0 where
    /// cutting could change the words. Needs up to 8 bytes before `p` and 1 after it in `buffer`.
    static func cutQuality(_ buffer: UnsafeBufferPointer<UInt8>, at p: Int) -> Int {
        guard p >= 2, p + 1 < buffer.count, buffer[p] & 0xC0 != 0x80 else { return 0 }
        let (here, _) = characterClass(in: buffer, at: p)
        guard let before = classBefore(buffer, p) else { return 0 }
        // A lone newline after a word, then a word: both the whole text and the cut piece end that
        // whitespace run with the newline (`\s+` / `\s+(?!\S)` agree on a run of one).
        if buffer[p - 1] == 0x0A, here != .space, let beforeNewline = classBefore(buffer, p - 1), beforeNewline != .space {
            return 2
        }
        guard before != .space else { return 0 }
        // A space that starts " word" after a word: the word before ends at the space either way.
        if buffer[p] == 0x20 {
            let (next, _) = characterClass(in: buffer, at: p + 1)
            return next != .space ? 1 : 0
        }
        // Two runs of different classes meet; an apostrophe before p could begin a contraction across p.
        return here != .space && here != before && buffer[p - 1] != UInt8(ascii: "'") ? 1 : 0
    }

    /// The class of the well-formed character that ends just before `p`, or nil when the bytes there are not one.
    private static func classBefore(_ buffer: UnsafeBufferPointer<UInt8>, _ p: Int) -> CharacterClass? {
        var q = p - 1
        while q > 0, q > p - 4, buffer[q] & 0xC0 == 0x80 { q -= 1 }
        guard q >= 0 else { return nil }
        let (kind, length) = characterClass(in: buffer, at: q)
        return q + length == p ? kind : nil
    }
}

extension ByteWindow {
    /// Bytes kept before a cut point so that `cutQuality` can look back.
    static let cutContext = 8
    /// How far past a nominal boundary a text cut is searched for.
    static let cutSearch = 1 << 16

    /// The first offset at or after `x` where a text document can be cut without changing its tokens:
    /// a line start within `cutSearch` bytes if there is one, else a word boundary, else (text with
    /// no word boundary for 64 KiB) the next character boundary. The window must hold `x - cutContext`.
    func textCut(atOrAfter x: Int) throws -> Int {
        guard x > 0 else { return 0 }
        try fill(upTo: x + ByteWindow.cutSearch + ByteWindow.cutContext)
        if let length, x >= length { return length }
        let buffer = bytes(from: start, to: end)
        let limit = min(end, x + ByteWindow.cutSearch)
        var wordCut: Int? = nil
        for p in x..<limit {
            let quality = PreTokenizer.cutQuality(buffer, at: p - start)
            if quality == 2 { return p }
            if quality == 1, wordCut == nil { wordCut = p }
        }
        if let wordCut { return wordCut }
        if let length, limit >= length - 1 { return length }
        var p = x
        while p < end - 1, self[p] & 0xC0 == 0x80, p < x + 3 { p += 1 }
        return p
    }
}
