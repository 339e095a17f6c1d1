/// Encodes a text that arrives in blocks (a streamed JSONL "text" value) into exactly the tokens of
/// encoding it whole, holding a bounded part of it: text is encoded up to the end of the last word
/// that no later byte can change, or, inside a word too long for that, up to one of the 1 KiB chunk
/// boundaries at which `BPETokenizer` encodes a long word anyway.
struct StreamingTextEncoder {
    /// A word ending this many bytes before the text held ends is final: GPT-2's pre-tokenizer
    /// looks at most one character (4 bytes) past a word.
    static let margin = 16
    private let tokenizer: BPETokenizer
    /// Text held is encoded once it reaches this many bytes.
    private let flushBytes: Int
    /// Decoded text not yet encoded. It starts where the whole text's pre-tokenizer starts a word,
    /// or at one of a long word's chunk boundaries, from which the rest of that word pre-tokenizes
    /// as one word all the same.
    private(set) var pending: [UInt8] = []
    private var tokens: [Int32] = []

    init(tokenizer: BPETokenizer, flushBytes: Int) {
        self.tokenizer = tokenizer
        self.flushBytes = max(flushBytes, 4 * WordCounts.maximumWordBytes)
    }

    /// Adds decoded text; `emit` receives the tokens of each part encoded.
    mutating func append(_ bytes: [UInt8], emit: ([Int32]) throws -> Void) throws {
        pending.append(contentsOf: bytes)
        if pending.count >= flushBytes { try flush(emit) }
    }

    /// Encodes what is held: the text has ended.
    mutating func finish(_ emit: ([Int32]) throws -> Void) throws {
        try encode(upTo: pending.count, emit)
        pending.removeAll(keepingCapacity: true)
    }

    private mutating func flush(_ emit: ([Int32]) throws -> Void) throws {
        let n = pending.count, limit = n - Self.margin
        var lastEnd = 0, firstEnd = 0
        pending.withUnsafeBufferPointer { buffer in
            PreTokenizer.forEachWord(in: buffer) { _, end in
                if firstEnd == 0 { firstEnd = end }
                if end <= limit { lastEnd = end }
            }
        }
        var cut = lastEnd
        if cut == 0, firstEnd > limit {
            // One word from the start past `limit`: the whole text's word reaches at least
            // `limit - 1` (a run of spaces can give back its last one), so every chunk boundary
            // that leaves more than a chunk before that is one the whole text's encoding cuts too.
            pending.withUnsafeBufferPointer { buffer in
                while cut + WordCounts.maximumWordBytes < limit - 1 {
                    cut = WordCounts.chunkEnd(buffer, from: cut)
                }
            }
        }
        guard cut > 0 else { return }
        try encode(upTo: cut, emit)
        pending.removeFirst(cut)
    }

    private mutating func encode(upTo end: Int, _ emit: ([Int32]) throws -> Void) throws {
        guard end > 0 else { return }
        tokens.removeAll(keepingCapacity: true)
        pending.withUnsafeBufferPointer { buffer in
            tokenizer.encode(UnsafeBufferPointer(rebasing: buffer[0..<end]), appendingTo: &tokens)
        }
        try emit(tokens)
    }
}
