import Foundation

/// A GPT-2-style byte-level BPE tokenizer: any byte string encodes, and decodes back to exactly the same bytes.
public final class BPETokenizer: @unchecked Sendable {
    /// The text of the document-separator special token.
    public static let endOfTextText = "<|endoftext|>"

    /// The number of token ids, the special token included.
    public let vocabSize: Int
    /// The id of `<|endoftext|>`.
    public let endOfText: Int32
    /// The merge rules, in priority order.
    public let merges: [BPEMerge]

    /// Bytes of each token id; the special token's are its literal text.
    let tokenBytes: [[UInt8]]
    /// Single byte -> its token id.
    let byteToken: [Int32]
    /// Pair key -> (rank << 32) | merged id; lower rank merges first.
    let mergeTable: [UInt64: UInt64]

    // The cache is an optimization only; a lock keeps concurrent encoders safe, which is why
    // the class is @unchecked Sendable: every other stored property is immutable.
    private let cacheLock = NSLock()
    private var cache: [WordKey: [Int32]] = [:]
    private static let cacheLimit = 200_000
    /// Bytes the cache's words and tokens take: 200,000 entries of 1 KiB chunks (random letters,
    /// base64: none repeat) would hold 600 MB, so the cache is also emptied past 16 MiB.
    private var cacheBytes = 0
    private static let cacheByteLimit = 16 << 20

    /// Builds the tokenizer with GPT-2's id layout: 0..<256 the bytes in `ByteEncoder.byteOrder`, then one id per merge, then `<|endoftext|>`.
    public convenience init(merges: [BPEMerge]) throws {
        var tokenBytes = ByteEncoder.byteOrder.map { [$0] }
        var resolved: [(BPEMerge, Int32)] = []
        resolved.reserveCapacity(merges.count)
        for (rank, merge) in merges.enumerated() {
            let newId = Int32(256 + rank)
            guard merge.left >= 0, merge.right >= 0, merge.left < newId, merge.right < newId else {
                throw DataError("merge \(rank) (\(merge.left), \(merge.right)) refers to a token that does not exist yet; merges may only combine earlier tokens")
            }
            tokenBytes.append(tokenBytes[Int(merge.left)] + tokenBytes[Int(merge.right)])
            resolved.append((merge, newId))
        }
        tokenBytes.append(Array(BPETokenizer.endOfTextText.utf8))
        try self.init(tokenBytes: tokenBytes, merges: resolved, endOfText: Int32(tokenBytes.count - 1), source: "merge list")
    }

    /// The general form: any id layout, as a vocab.json may have.
    init(tokenBytes: [[UInt8]], merges: [(BPEMerge, Int32)], endOfText: Int32, source: String) throws {
        var byteToken = [Int32](repeating: -1, count: 256)
        for (id, bytes) in tokenBytes.enumerated() where bytes.count == 1 && Int32(id) != endOfText {
            if byteToken[Int(bytes[0])] < 0 { byteToken[Int(bytes[0])] = Int32(id) }
        }
        if let missing = byteToken.firstIndex(of: -1) {
            throw DataError("\(source) has no token for the single byte \(missing); a byte-level vocabulary needs all 256; regenerate the tokenizer files")
        }
        var table: [UInt64: UInt64] = [:]
        table.reserveCapacity(merges.count)
        for (rank, (merge, result)) in merges.enumerated() where table[merge.key] == nil {
            table[merge.key] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: result))
        }
        self.tokenBytes = tokenBytes
        self.byteToken = byteToken
        self.mergeTable = table
        self.merges = merges.map { $0.0 }
        self.endOfText = endOfText
        self.vocabSize = tokenBytes.count
    }

    /// The bytes that token `id` stands for; empty for an id outside the vocabulary.
    public func bytes(ofToken id: Int32) -> [UInt8] {
        guard id >= 0, Int(id) < tokenBytes.count else { return [] }
        return tokenBytes[Int(id)]
    }

    /// Encodes UTF-8 text; `<|endoftext|>` in the text is plain text unless `allowSpecial` is true.
    public func encode(_ text: String, allowSpecial: Bool = false) -> [Int32] {
        encode(bytes: Array(text.utf8), allowSpecial: allowSpecial)
    }

    /// Encodes arbitrary bytes (invalid UTF-8 included); `<|endoftext|>` is recognized only when `allowSpecial` is true.
    public func encode(bytes: [UInt8], allowSpecial: Bool = false) -> [Int32] {
        var tokens: [Int32] = []
        tokens.reserveCapacity(bytes.count / 3 + 1)
        bytes.withUnsafeBufferPointer { buffer in
            guard allowSpecial else {
                encodeOrdinary(buffer, into: &tokens)
                return
            }
            let marker = Array(BPETokenizer.endOfTextText.utf8)
            var segmentStart = 0
            var i = 0
            while i + marker.count <= buffer.count {
                if buffer[i] == marker[0], marker.indices.allSatisfy({ buffer[i + $0] == marker[$0] }) {
                    encodeOrdinary(UnsafeBufferPointer(rebasing: buffer[segmentStart..<i]), into: &tokens)
                    tokens.append(endOfText)
                    i += marker.count
                    segmentStart = i
                } else {
                    i += 1
                }
            }
            encodeOrdinary(UnsafeBufferPointer(rebasing: buffer[segmentStart...]), into: &tokens)
        }
        return tokens
    }

    /// Appends the tokens of `buffer` (ordinary text: `<|endoftext|>` in it is not special) to `tokens`.
    public func encode(_ buffer: UnsafeBufferPointer<UInt8>, appendingTo tokens: inout [Int32]) {
        encodeOrdinary(buffer, into: &tokens)
    }

    /// Decodes tokens to bytes; an id outside the vocabulary becomes U+FFFD so that bad input never traps.
    public func decode<S: Sequence>(_ tokens: S) -> [UInt8] where S.Element == Int32 {
        var bytes: [UInt8] = []
        for id in tokens {
            if id >= 0, Int(id) < tokenBytes.count {
                bytes.append(contentsOf: tokenBytes[Int(id)])
            } else {
                bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
            }
        }
        return bytes
    }

    /// Decodes tokens to a String, replacing invalid UTF-8 with U+FFFD.
    public func decodeString<S: Sequence>(_ tokens: S) -> String where S.Element == Int32 {
        String(decoding: decode(tokens), as: UTF8.self)
    }

    private func encodeOrdinary(_ buffer: UnsafeBufferPointer<UInt8>, into tokens: inout [Int32]) {
        PreTokenizer.forEachWord(in: buffer) { start, end in
            // A word longer than the trainer counts whole is encoded in the trainer's chunks: each
            // costs at most a chunk's length per merge, and a run of equal chunks hits the cache.
            var from = start
            while end - from > WordCounts.maximumWordBytes {
                let to = WordCounts.chunkEnd(buffer, from: from)
                encodeCached(buffer, from, to, into: &tokens)
                from = to
            }
            encodeCached(buffer, from, end, into: &tokens)
        }
    }

    /// Encodes the word `buffer[start..<end]` through the cache.
    private func encodeCached(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into tokens: inout [Int32]) {
        if end - start == 1 {
            tokens.append(byteToken[Int(buffer[start])])
            return
        }
        let word = Array(buffer[start..<end])
        cacheLock.lock()
        let cached = cache[WordKey(word)]
        cacheLock.unlock()
        if let cached {
            tokens.append(contentsOf: cached)
            return
        }
        let encoded = word.count > BPETokenizer.heapThreshold ? encodeLongWord(word) : encodeWord(word)
        tokens.append(contentsOf: encoded)
        cacheLock.lock()
        if cache.count >= BPETokenizer.cacheLimit || cacheBytes >= BPETokenizer.cacheByteLimit {
            cache.removeAll(keepingCapacity: true)
            cacheBytes = 0
        }
        cache[WordKey(word)] = encoded
        cacheBytes += word.count + 4 * encoded.count
        cacheLock.unlock()
    }

    /// Applies merges to one pre-token word, lowest rank first, each over all its occurrences left to right.
    ///
    /// `entries[i]` caches the merge-table entry (rank << 32 | result) of the pair at i, i + 1, so a
    /// pass finds the lowest rank by comparing integers and looks up only the pairs a merge created:
    /// a chunk of a long word costs no hashing per pass. Ranks are unique per pair, so equal entries
    /// mean the same pair.
    func encodeWord(_ word: [UInt8]) -> [Int32] {
        var symbols = word.map { byteToken[Int($0)] }
        guard symbols.count > 1 else { return symbols }
        var entries = (0..<(symbols.count - 1)).map { lookup(symbols[$0], symbols[$0 + 1]) }
        var dirty: [Int] = []
        while symbols.count > 1 {
            var best = UInt64.max
            for e in entries where e < best { best = e }
            if best == UInt64.max { break }
            let result = Int32(bitPattern: UInt32(truncatingIfNeeded: best))
            let n = symbols.count
            var read = 0, write = 0
            dirty.removeAll(keepingCapacity: true)
            while read < n {
                if read + 1 < n, entries[read] == best {
                    symbols[write] = result
                    if write > 0 { dirty.append(write - 1) }
                    dirty.append(write)
                    read += 2
                } else {
                    // Both stay unmerged unless the next output is a merge, which marks this pair dirty.
                    symbols[write] = symbols[read]
                    if read + 1 < n { entries[write] = entries[read] }
                    read += 1
                }
                write += 1
            }
            symbols.removeLast(n - write)
            entries.removeLast(entries.count - (write - 1))
            for k in dirty where k < write - 1 { entries[k] = lookup(symbols[k], symbols[k + 1]) }
        }
        return symbols
    }

    /// The merge-table entry of the pair (`left`, `right`), or UInt64.max when they do not merge.
    func lookup(_ left: Int32, _ right: Int32) -> UInt64 {
        mergeTable[BPEMerge(left: left, right: right).key] ?? UInt64.max
    }
}

/// A word as a dictionary key hashed in one call over its bytes (Array's own hash feeds them one by one).
struct WordKey: Hashable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
