/// The merge loop's state: the distinct words' symbols in one flat array, linked as a list per
/// word, pair counts kept up to date incrementally, the positions where each pair may occur, and
/// a max-heap of pairs that holds, for every pair, an entry with at least its current count
/// (entries go stale; a popped one is checked against the count).
///
/// A merge visits only the occurrences of its pair (positions), never whole words, so its cost is
/// its occurrences, not the length of the words that hold them: a corpus of 1 KiB chunks of
/// random letters (no two alike) trains as fast per occurrence as ordinary text.
struct MergeState {
    /// Symbol at each flat position; -1 where a merge absorbed it.
    private var symbols: [Int32] = []
    /// The next and previous live position of the same word; -1 at the word's ends.
    private var next: [Int32] = []
    private var prev: [Int32] = []
    /// The word each position belongs to (its frequency weighs the position's pairs).
    private var owner: [Int32] = []
    private let frequencies: [Int]
    private var pairCounts: [UInt64: Int] = [:]
    /// Pair -> left positions that may hold it (a superset: entries go stale and may repeat).
    private var pairPositions: [UInt64: [Int32]] = [:]
    private var heap = PairHeap()
    private var tokenBytes: [[UInt8]]
    private var knownTokens: Set<[UInt8]>

    init(words: [[UInt8]], frequencies: [Int]) {
        self.frequencies = frequencies
        tokenBytes = ByteEncoder.byteOrder.map { [$0] }
        knownTokens = Set(tokenBytes)
        var byteToken = [Int32](repeating: 0, count: 256)
        for (id, b) in ByteEncoder.byteOrder.enumerated() { byteToken[Int(b)] = Int32(id) }
        let total = words.reduce(0) { $0 + $1.count }
        precondition(total < Int(Int32.max), "the tokenizer sample is capped far below 2³¹ symbols")
        symbols.reserveCapacity(total)
        for (w, word) in words.enumerated() {
            let start = symbols.count
            for (i, b) in word.enumerated() {
                let p = start + i
                symbols.append(byteToken[Int(b)])
                next.append(i + 1 < word.count ? Int32(p + 1) : -1)
                prev.append(i > 0 ? Int32(p - 1) : -1)
                owner.append(Int32(w))
                if i > 0 {
                    let key = BPEMerge(left: symbols[p - 1], right: symbols[p]).key
                    pairCounts[key, default: 0] += frequencies[w]
                    pairPositions[key, default: []].append(Int32(p - 1))
                }
            }
        }
        for (key, count) in pairCounts { heap.push(count: count, key: key) }
    }

    /// The most frequent pair still worth merging, or nil when no pair is left.
    mutating func popBestPair() -> BPEMerge? {
        while let (count, key) = heap.pop() {
            // Counts that fell are not re-pushed when they fall (most changes are falls): their
            // entry comes up with its old, higher count and goes back with the current one.
            guard let current = pairCounts[key], current > 0 else { continue }
            if current != count {
                heap.push(count: current, key: key)
                continue
            }
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
        var positions = pairPositions.removeValue(forKey: key) ?? []
        pairCounts[key] = nil
        // Occurrences of a pair of two equal symbols overlap ("aaa"): left to right decides which
        // merge. Other pairs cannot overlap, so their order does not matter.
        if pair.left == pair.right { positions.sort() }
        var deltas: [UInt64: Int] = [:]
        for p32 in positions {
            let p = Int(p32), q = Int(next[p])
            guard symbols[p] == pair.left, q >= 0, symbols[q] == pair.right else { continue }
            let frequency = frequencies[Int(owner[p])]
            let o = Int(prev[p]), r = Int(next[q])
            if o >= 0 { deltas[BPEMerge(left: symbols[o], right: pair.left).key, default: 0] -= frequency }
            if r >= 0 { deltas[BPEMerge(left: pair.right, right: symbols[r]).key, default: 0] -= frequency }
            symbols[p] = newId
            symbols[q] = -1
            next[p] = Int32(r)
            if r >= 0 { prev[r] = Int32(p) }
            if o >= 0 { add(left: o, right: p, frequency, &deltas) }
            if r >= 0 { add(left: p, right: r, frequency, &deltas) }
        }
        deltas[key] = nil
        for (changed, delta) in deltas where delta != 0 {
            let count = pairCounts[changed, default: 0] + delta
            if count > 0 {
                pairCounts[changed] = count
                // A count that fell keeps its old entry, which `popBestPair` brings up to date.
                if delta > 0 { heap.push(count: count, key: changed) }
            } else {
                pairCounts[changed] = nil
                pairPositions[changed] = nil
            }
        }
    }

    /// Counts the new pair at positions `left`, `right` (one holds the new token) and files it.
    private mutating func add(left: Int, right: Int, _ frequency: Int, _ deltas: inout [UInt64: Int]) {
        let key = BPEMerge(left: symbols[left], right: symbols[right]).key
        deltas[key, default: 0] += frequency
        pairPositions[key, default: []].append(Int32(left))
    }
}
