extension BPETokenizer {
    /// Words longer than this many bytes are encoded by `encodeLongWord`: `encodeWord` makes one
    /// pass over the word per merge it applies, which is quadratic in a long chunk of base64,
    /// DNA or minified JSON (up to `WordCounts.maximumWordBytes`, 1 KiB, between cuts).
    static let heapThreshold = 48

    /// The same tokens as `encodeWord` in O(n log n): a min-heap of (rank, position) over the
    /// word's adjacent pairs, symbols in a linked list. Popping the lowest rank, leftmost first,
    /// merges as `encodeWord`'s passes do (each rank's occurrences left to right), because a merge
    /// only creates pairs that hold its new token, whose ranks are higher than its own.
    func encodeLongWord(_ word: [UInt8]) -> [Int32] {
        let n = word.count
        guard n > 1 else { return word.map { byteToken[Int($0)] } }
        var symbols = word.map { byteToken[Int($0)] }
        var next = (0..<n).map { Int32($0 + 1) }, prev = (0..<n).map { Int32($0 - 1) }
        var heap = RankHeap()
        func push(_ p: Int) {
            let entry = lookup(symbols[p], symbols[Int(next[p])])
            if entry != UInt64.max { heap.push((entry >> 32) << 32 | UInt64(p)) }
        }
        for p in 0..<(n - 1) { push(p) }
        while let top = heap.pop() {
            let p = Int(top & 0xFFFF_FFFF), q = Int(next[p])
            // Stale entries: p was merged away (-1), has no right neighbour, or its pair changed.
            guard symbols[p] >= 0, q < n else { continue }
            let entry = lookup(symbols[p], symbols[q])
            guard entry >> 32 == top >> 32 else { continue }
            symbols[p] = Int32(truncatingIfNeeded: entry & 0xFFFF_FFFF)
            symbols[q] = -1
            next[p] = next[q]
            if Int(next[q]) < n { prev[Int(next[q])] = Int32(p) }
            if prev[p] >= 0 { push(Int(prev[p])) }
            if Int(next[p]) < n { push(p) }
        }
        var out: [Int32] = []
        var p = 0
        while p < n {
            out.append(symbols[p])
            p = Int(next[p])
        }
        return out
    }
}

/// A binary min-heap of UInt64 keys (rank << 32 | position).
private struct RankHeap {
    private var keys: [UInt64] = []

    mutating func push(_ key: UInt64) {
        keys.append(key)
        var i = keys.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if keys[parent] <= keys[i] { break }
            keys.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let top = keys.first else { return nil }
        keys.swapAt(0, keys.count - 1)
        keys.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var best = i
            if l < keys.count, keys[l] < keys[best] { best = l }
            if r < keys.count, keys[r] < keys[best] { best = r }
            if best == i { return top }
            keys.swapAt(i, best)
            i = best
        }
    }
}
