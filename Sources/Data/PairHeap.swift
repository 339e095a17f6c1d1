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
