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
        progress("counted \(counts.totalWords) words, \(counts.words.count) distinct")
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
struct WordCounts {
    /// The longest word counted whole.
    static let maximumWordBytes = 1024
    var index: [[UInt8]: Int] = [:]
    var words: [[UInt8]] = []
    var frequencies: [Int] = []
    var totalWords = 0

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
        } else {
            index[word] = words.count
            words.append(word)
            frequencies.append(1)
        }
    }
}

/// The merge loop's state: words as symbol runs in one flat array, pair counts kept up to
/// date incrementally, and a max-heap of pairs whose stale entries are skipped when popped.
struct MergeState {
    var symbols: [Int32] = []
    var starts: [Int] = []
    var lengths: [Int] = []
    var frequencies: [Int]
    var pairCounts: [UInt64: Int] = [:]
    /// Pair -> words that may contain it (a superset: entries go stale and may repeat).
    var pairWords: [UInt64: [Int32]] = [:]
    var heap = PairHeap()
    var tokenBytes: [[UInt8]]
    var knownTokens: Set<[UInt8]>
    var visitStamp: [Int32]
    var stamp: Int32 = 0

    init(words: [[UInt8]], frequencies: [Int]) {
        self.frequencies = frequencies
        tokenBytes = ByteEncoder.byteOrder.map { [$0] }
        knownTokens = Set(tokenBytes)
        var byteToken = [Int32](repeating: 0, count: 256)
        for (id, b) in ByteEncoder.byteOrder.enumerated() { byteToken[Int(b)] = Int32(id) }
        visitStamp = [Int32](repeating: -1, count: words.count)
        for (w, word) in words.enumerated() {
            starts.append(symbols.count)
            lengths.append(word.count)
            for b in word { symbols.append(byteToken[Int(b)]) }
            let s = starts[w]
            for i in 0..<max(0, word.count - 1) {
                let key = BPEMerge(left: symbols[s + i], right: symbols[s + i + 1]).key
                pairCounts[key, default: 0] += frequencies[w]
                pairWords[key, default: []].append(Int32(w))
            }
        }
        for (key, count) in pairCounts { heap.push(count: count, key: key) }
    }

    /// The most frequent pair still worth merging, or nil when no pair is left.
    mutating func popBestPair() -> BPEMerge? {
        while let (count, key) = heap.pop() {
            guard pairCounts[key] == count, count > 0 else { continue }
            let pair = BPEMerge(left: Int32(truncatingIfNeeded: key >> 32), right: Int32(truncatingIfNeeded: key & 0xFFFF_FFFF))
            let merged = tokenBytes[Int(pair.left)] + tokenBytes[Int(pair.right)]
            if knownTokens.contains(merged) {
                pairCounts[key] = nil
                continue
            }
            return pair
        }
        return nil
    }

    /// Replaces every occurrence of `pair` by token `newId` and updates the pair statistics.
    mutating func merge(_ pair: BPEMerge, into newId: Int32) {
        let merged = tokenBytes[Int(pair.left)] + tokenBytes[Int(pair.right)]
        tokenBytes.append(merged)
        knownTokens.insert(merged)
        let key = pair.key
        let candidates = pairWords.removeValue(forKey: key) ?? []
        pairCounts[key] = nil
        stamp += 1
        var deltas: [UInt64: Int] = [:]
        for w32 in candidates {
            let w = Int(w32)
            if visitStamp[w] == stamp { continue }
            visitStamp[w] = stamp
            let s = starts[w]
            let n = lengths[w]
            var found = false
            for i in 0..<max(0, n - 1) where symbols[s + i] == pair.left && symbols[s + i + 1] == pair.right {
                found = true
                break
            }
            if !found { continue }
            rewrite(word: w32, pair, into: newId, &deltas)
        }
        deltas[key] = nil
        for (changed, delta) in deltas where delta != 0 {
            let count = pairCounts[changed, default: 0] + delta
            if count > 0 {
                pairCounts[changed] = count
                heap.push(count: count, key: changed)
            } else {
                pairCounts[changed] = nil
                pairWords[changed] = nil
            }
        }
    }

    /// Merges every occurrence of `pair` in word `w` (which holds one) and records the pair changes.
    private mutating func rewrite(word w32: Int32, _ pair: BPEMerge, into newId: Int32, _ deltas: inout [UInt64: Int]) {
        let w = Int(w32)
        let s = starts[w]
        let n = lengths[w]
        let frequency = frequencies[w]
        // Only pairs that touch a merged occurrence change: the old ones around each occurrence
        // go, the new ones around each new token come. Updating just those (not every pair of the
        // word) keeps a merge's hashing in its occurrences, not in the word's length.
        var read = 0
        var write = 0
        var lastRemoved = -1
        while read < n {
            if read + 1 < n, symbols[s + read] == pair.left, symbols[s + read + 1] == pair.right {
                // Old pairs j = (symbols[j], symbols[j + 1]) for j in read-1...read+1, each once; the
                // positions read here are still unwritten (write <= read) or were copied unchanged.
                let lower = max(read - 1, lastRemoved + 1), upper = min(read + 1, n - 2)
                if lower <= upper {
                    for j in lower...upper {
                        deltas[BPEMerge(left: symbols[s + j], right: symbols[s + j + 1]).key, default: 0] -= frequency
                    }
                    lastRemoved = upper
                }
                symbols[s + write] = newId
                read += 2
            } else {
                symbols[s + write] = symbols[s + read]
                read += 1
            }
            write += 1
        }
        lengths[w] = write
        for k in 0..<write where symbols[s + k] == newId {
            if k > 0, symbols[s + k - 1] != newId { addPair(s + k - 1, word: w32, frequency, &deltas) }
            if k + 1 < write { addPair(s + k, word: w32, frequency, &deltas) }
        }
    }

    /// Counts the new pair at `p`, `p + 1` (it holds the new token) and files word `w` under it.
    private mutating func addPair(_ p: Int, word w: Int32, _ frequency: Int, _ deltas: inout [UInt64: Int]) {
        let newKey = BPEMerge(left: symbols[p], right: symbols[p + 1]).key
        deltas[newKey, default: 0] += frequency
        pairWords[newKey, default: []].append(w)
    }
}

/// A binary max-heap of (count, pair key), larger count first, then smaller key.
struct PairHeap {
    private var counts: [Int] = []
    private var keys: [UInt64] = []

    private func before(_ i: Int, _ j: Int) -> Bool {
        counts[i] > counts[j] || (counts[i] == counts[j] && keys[i] < keys[j])
    }

    private mutating func swapAt(_ i: Int, _ j: Int) {
        counts.swapAt(i, j)
        keys.swapAt(i, j)
    }

    mutating func push(count: Int, key: UInt64) {
        counts.append(count)
        keys.append(key)
        var i = counts.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if !before(i, parent) { break }
            swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (Int, UInt64)? {
        guard let top = counts.first, let topKey = keys.first else { return nil }
        let last = counts.count - 1
        swapAt(0, last)
        counts.removeLast()
        keys.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var best = i
            if l < counts.count, before(l, best) { best = l }
            if r < counts.count, before(r, best) { best = r }
            if best == i { break }
            swapAt(i, best)
            i = best
        }
        return (top, topKey)
    }
}
