/// Learns GPT-2-style byte-level BPE merges from a corpus.
public enum BPETrainer {
    /// Trains a tokenizer of exactly `vocabSize` ids (256 bytes, `vocabSize - 257` merges, `<|endoftext|>`) on `documents`.
    ///
    /// Each step merges the most frequent adjacent pair within pre-token words; ties go to the
    /// lowest (left, right) ids, so the result depends only on the corpus and the size.
    /// A pair whose merged bytes already spell a token is skipped, so every vocab.json key is unique.
    public static func train(
        documents: [[UInt8]], vocabSize: Int, progress: (String) -> Void = { _ in }
    ) throws -> BPETokenizer {
        var counts = WordCounts()
        for document in documents {
            document.withUnsafeBufferPointer { counts.add($0) }
        }
        return try train(counts: counts, vocabSize: vocabSize, progress: progress)
    }

    /// Trains on words already counted (the tokenizer sample streams its text into `counts`).
    static func train(counts: WordCounts, vocabSize: Int, progress: (String) -> Void) throws -> BPETokenizer {
        guard vocabSize >= 257, vocabSize <= Int(Int32.max) else {
            throw DataError("vocab size \(vocabSize) is too small: it needs 256 byte tokens plus <|endoftext|>; use at least 257")
        }
        let mergeTarget = vocabSize - 257
        progress("counted \(counts.totalWords) words, \(counts.words.count) distinct"
                 + (counts.skippedWords > 0 ? " (\(counts.skippedWords) occurrences of new words past the \(counts.distinctByteBudget / 1024) KiB budget of distinct words not trained on)" : ""))
        var state = MergeState(words: counts.words, frequencies: counts.frequencies)
        var merges: [BPEMerge] = []
        merges.reserveCapacity(mergeTarget)
        let every = max(1, min(500, mergeTarget / 10))
        while merges.count < mergeTarget {
            guard let pair = state.popBestPair() else {
                throw DataError("the corpus allows only \(merges.count) merges, but vocab size \(vocabSize) needs \(mergeTarget); use a larger corpus or a vocab size of at most \(257 + merges.count)")
            }
            state.merge(pair, into: Int32(256 + merges.count))
            merges.append(pair)
            if merges.count % every == 0 || merges.count == mergeTarget {
                progress("merges \(merges.count)/\(mergeTarget)")
            }
        }
        return try BPETokenizer(merges: merges)
    }

    /// Trains on Strings, each one document, as UTF-8.
    public static func train(
        texts: [String], vocabSize: Int, progress: (String) -> Void = { _ in }
    ) throws -> BPETokenizer {
        try train(documents: texts.map { Array($0.utf8) }, vocabSize: vocabSize, progress: progress)
    }
}

/// Distinct pre-token words of a corpus and how often each occurs.
///
/// A word longer than `maximumWordBytes` (minified JSON, base64, DNA: one "word" of megabytes) is
/// counted as consecutive chunks of at most that many bytes, cut at UTF-8 character boundaries, as
/// HF tokenizers' `max_token_length` bounds what training looks at: every merge then costs at most
/// a chunk's length per word it touches, instead of the whole word's, which made training quadratic
/// in a word's length. No token longer than a chunk is learned; ordinary text has no such words.
///
/// The distinct words' bytes are capped at `distinctByteBudget`: training holds about 50 bytes per
/// distinct byte (symbols, links, pair positions), and text that never repeats a word (random
/// letters, base64: every 1 KiB chunk new) would otherwise make that the whole sample's size. Once
/// the budget is spent, a new word is skipped but a known one is still counted, so frequent words
/// (which come early) keep their counts; ordinary text stays far below it (Shakespeare: 0.3 MB).
struct WordCounts {
    /// The longest word counted whole.
    static let maximumWordBytes = 1024
    /// The default cap on the distinct words' bytes.
    static let maximumDistinctBytes = 2 << 20
    var index: [[UInt8]: Int] = [:]
    var words: [[UInt8]] = []
    var frequencies: [Int] = []
    var totalWords = 0
    /// Bytes of the distinct words held.
    private(set) var distinctBytes = 0
    /// Occurrences of new words skipped because the budget was spent.
    private(set) var skippedWords = 0
    let distinctByteBudget: Int

    init(distinctByteBudget: Int = WordCounts.maximumDistinctBytes) {
        self.distinctByteBudget = distinctByteBudget
    }

    mutating func add(_ buffer: UnsafeBufferPointer<UInt8>) {
        PreTokenizer.forEachWord(in: buffer) { start, end in
            var from = start
            while end - from > Self.maximumWordBytes {
                let to = Self.chunkEnd(buffer, from: from)
                count(Array(buffer[from..<to]))
                from = to
            }
            count(Array(buffer[from..<end]))
        }
    }

    /// Where a chunk of at most `maximumWordBytes` starting at `from` ends: before the last
    /// character that would not fit (or at the bound, when the bytes there are not UTF-8).
    static func chunkEnd(_ buffer: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        let bound = from + maximumWordBytes
        var to = bound
        while to > bound - 3, buffer[to] & 0xC0 == 0x80 { to -= 1 }
        return buffer[to] & 0xC0 == 0x80 ? bound : to
    }

    private mutating func count(_ word: [UInt8]) {
        totalWords += 1
        if let i = index[word] {
            frequencies[i] += 1
        } else if distinctBytes + word.count > distinctByteBudget {
            skippedWords += 1
        } else {
            distinctBytes += word.count
            index[word] = words.count
            words.append(word)
            frequencies.append(1)
        }
    }
}
