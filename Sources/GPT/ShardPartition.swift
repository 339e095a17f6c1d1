/// ZeRO-1's split of the flat parameter buffer over ranks (`distributed.shard_optimizer`): rank r
/// owns `shards[r]`, one contiguous range, the ranges in rank order covering the buffer.
///
/// Boundaries start at the even split ⌊count·r/ranks⌋ and move to the nearer end of any range
/// that must stay whole (a Muon matrix, whose Newton–Schulz needs all of it on one rank). No
/// padding: the reduce-scatter and all-gather take one count per rank, so uneven (even empty)
/// shards cost nothing but balance.
public struct ShardPartition: Sendable, Equatable {
    /// Each rank's range, in rank order, consecutive from 0 to the buffer's end.
    public let shards: [Range<Int>]

    /// The partition of `count` elements over `ranks` ranks keeping each of `whole` (disjoint
    /// ranges) inside one shard.
    public init(count: Int, ranks: Int, whole: [Range<Int>] = []) {
        precondition(ranks >= 1 && count >= 0, "a partition needs at least one rank")
        let sorted = whole.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        var bounds = [0]
        for r in 1..<ranks {
            // ⌊count·r/ranks⌋ without the product (which could overflow).
            var b = (count / ranks) * r + (count % ranks) * r / ranks
            if let inside = sorted.first(where: { $0.lowerBound < b && b < $0.upperBound }) {
                b = b - inside.lowerBound <= inside.upperBound - b ? inside.lowerBound : inside.upperBound
            }
            bounds.append(max(b, bounds.last!))
        }
        bounds.append(count)
        shards = (0..<ranks).map { bounds[$0]..<bounds[$0 + 1] }
    }

    /// The partition for `layout` at `ranks` ranks: every Muon matrix whole under "muon".
    public init(layout: ParameterLayout, ranks: Int, muon: Bool) {
        self.init(count: layout.totalCount, ranks: ranks, whole: muon ? layout.muonMatrices.map(\.range) : [])
    }

    /// Number of ranks.
    public var ranks: Int { shards.count }

    /// How many elements of `range` each rank owns (the counts of a reduce-scatter of `range`):
    /// the shards are consecutive, so each intersection is contiguous and they follow in rank order.
    public func counts(of range: Range<Int>) -> [Int] {
        shards.map { max(0, min($0.upperBound, range.upperBound) - max($0.lowerBound, range.lowerBound)) }
    }

    /// The largest shard's element count (what sizes a rank's optimizer state).
    public var largest: Int { shards.map(\.count).max() ?? 0 }
}
