import Collectives
import ExactSum
import GPT
import Testing
import TestSupport

/// ZeRO-1's pieces below the trainer: the shard partition, the per-rank counts of a bucket's
/// reduce-scatter, reduce-scatter itself over ThreadWorld's ranks, AdamW on a shard, and the
/// exact sum of squares whose bits do not depend on the split.
@Suite struct ShardPartitionTests {
    /// Consecutive ranges from 0 to the end, in rank order, each as even as the whole ranges allow.
    static func expectCovers(_ p: ShardPartition, count: Int, ranks: Int) {
        #expect(p.shards.count == ranks)
        #expect(p.shards.first?.lowerBound == 0 && p.shards.last?.upperBound == count)
        for r in 1..<max(1, ranks) { #expect(p.shards[r - 1].upperBound == p.shards[r].lowerBound, "\(p.shards)") }
    }

    @Test func evenSplitWithoutWholeRanges() {
        let p = ShardPartition(count: 10, ranks: 3)
        Self.expectCovers(p, count: 10, ranks: 3)
        #expect(p.shards == [0..<3, 3..<6, 6..<10])
        #expect(ShardPartition(count: 2, ranks: 4).shards == [0..<0, 0..<1, 1..<1, 1..<2])  // empty shards are allowed
        #expect(ShardPartition(count: 7, ranks: 1).shards == [0..<7])
    }

    @Test func boundariesMoveToTheNearerEndOfAWholeRange() {
        // Even boundaries 5 and 10: 5 lies inside 3..<9, nearer its start; 10 inside 9..<12, nearer its start too.
        let p = ShardPartition(count: 15, ranks: 3, whole: [3..<9, 9..<12])
        Self.expectCovers(p, count: 15, ranks: 3)
        #expect(p.shards == [0..<3, 3..<9, 9..<15])
    }

    @Test(arguments: [2, 3, 4, 7])
    func muonMatricesLieInsideOneShard(ranks: Int) {
        for config in [tinyConfig, tinyLlamaConfig] {
            let layout = ParameterLayout(config: config)
            let p = ShardPartition(layout: layout, ranks: ranks, muon: true)
            Self.expectCovers(p, count: layout.totalCount, ranks: ranks)
            for m in layout.muonMatrices {
                #expect(p.shards.contains { $0.lowerBound <= m.range.lowerBound && m.range.upperBound <= $0.upperBound }, "\(m.name) at \(ranks) ranks: \(p.shards)")
            }
            // AdamW alone splits anywhere: within one element of even.
            let even = ShardPartition(layout: layout, ranks: ranks, muon: false)
            #expect(even.largest - (even.shards.map(\.count).min() ?? 0) <= 1)
        }
    }

    @Test func bucketCountsAreTheShardIntersections() {
        let p = ShardPartition(count: 10, ranks: 3)
        #expect(p.counts(of: 0..<10) == [3, 3, 4])
        #expect(p.counts(of: 2..<7) == [1, 3, 1])
        #expect(p.counts(of: 6..<8) == [0, 0, 2])
    }

    /// Uneven blocks (one empty): each rank's block holds the rank-order sum; Int64 too.
    @Test func reduceScatterSumsEachRanksBlock() {
        let counts = [3, 0, 5, 2], total = 10
        let results = ThreadWorld(size: counts.count).run { comm in
            var floats = (0..<total).map { Float(comm.rank + 1) * 0.5 + Float($0) }
            var ints = (0..<total).map { Int64(1 << 40) * Int64(comm.rank + 1) + Int64($0) }
            floats.withUnsafeMutableBufferPointer { try! comm.reduceScatterSum($0, counts: counts) }
            ints.withUnsafeMutableBufferPointer { try! comm.reduceScatterSum($0, counts: counts) }
            return (floats, ints)
        }
        for (r, (floats, ints)) in results.enumerated() {
            let first = counts[..<r].reduce(0, +)
            for i in first..<(first + counts[r]) {
                #expect(floats[i] == (0..<4).reduce(Float(0)) { $0 + (Float($1 + 1) * 0.5 + Float(i)) }, "rank \(r) element \(i)")
                #expect(ints[i] == Int64(1 << 40) * 10 + 4 * Int64(i), "rank \(r) element \(i)")
            }
        }
        #expect(throws: CollectiveError.self) {
            var b: [Float] = [1, 2]
            try b.withUnsafeMutableBufferPointer { try LocalCommunicator().reduceScatterSum($0, counts: [1]) }
        }
    }

    /// AdamW over three shards cut at odd places (inside tensors, off the 8-lane grid) updates
    /// every element to the bits of the whole buffer's AdamW, moments included.
    @Test func adamWOnShardsEqualsTheWholeBuffer() {
        let layout = ParameterLayout(config: tinyConfig)
        let n = layout.totalCount
        var whole = uniformValues(n, seed: 3, scale: 0.3)
        let start = whole
        let gradients = (0..<3).map { uniformValues(n, seed: 40 + UInt64($0)) }
        let reference = AdamW(layout: layout)
        let cuts = [0, 1237, 1237 + 4093, n]
        let shards = (0..<3).map { cuts[$0]..<cuts[$0 + 1] }
        let parts = shards.map { AdamW(layout: layout, excluding: [], shard: $0) }
        var sharded = start
        for (step, g) in gradients.enumerated() {
            whole.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { reference.update(parameters: p, gradients: $0, learningRate: 0.01, step: step + 1) } }
            for (shard, adam) in zip(shards, parts) {
                sharded.withUnsafeMutableBufferPointer { p in
                    g.withUnsafeBufferPointer { gb in
                        adam.update(parameters: UnsafeMutableBufferPointer(rebasing: p[shard]), gradients: UnsafeBufferPointer(rebasing: gb[shard]),
                                    learningRate: 0.01, step: step + 1)
                    }
                }
            }
        }
        #expect(whole.map(\.bitPattern) == sharded.map(\.bitPattern))
        for (shard, adam) in zip(shards, parts) {
            #expect(Array(reference.m[shard]).map(\.bitPattern) == Array(adam.m).map(\.bitPattern))
            #expect(Array(reference.v[shard]).map(\.bitPattern) == Array(adam.v).map(\.bitPattern))
        }
    }

    /// Σ g² of shards, added as exact sums, equals the whole buffer's and the exact sum of each
    /// square (a Float's square is exact in a Double), bit for bit; non-finite values say so.
    @Test func exactSquaresDoNotDependOnTheSplit() {
        var values = uniformValues(300_000, seed: 9, scale: 3)
        values[7] = 1e-40  // subnormal
        values[8] = 3e38
        var reference = ExactDoubleSums(count: 1)
        for v in values { reference.add(Double(v) * Double(v), at: 0) }
        let whole = values.withUnsafeBufferPointer { b in
            var s = ExactSquareSum()
            s.add(b, threads: 4)
            return s.sums.value(at: 0)
        }
        var pieces = ExactDoubleSums(count: 1)
        for range in [0..<5, 5..<100_003, 100_003..<300_000] {
            values.withUnsafeBufferPointer { b in
                var s = ExactSquareSum()
                s.add(UnsafeBufferPointer(rebasing: b[range]))
                pieces.add(s.sums)
            }
        }
        #expect(whole == reference.value(at: 0))
        #expect(pieces.value(at: 0) == whole)
        // Many of the largest squares of one exponent: the 64-bit bins of a block must not overflow.
        let largest = [Float](repeating: Float(2).nextDown, count: 200_000)
        var largestReference = ExactDoubleSums(count: 1)
        for v in largest { largestReference.add(Double(v) * Double(v), at: 0) }
        let largestSum = largest.withUnsafeBufferPointer { b in
            var s = ExactSquareSum()
            s.add(b)
            return s.sums.value(at: 0)
        }
        #expect(largestSum == largestReference.value(at: 0))
        var bad = ExactSquareSum()
        [Float(1), .infinity].withUnsafeBufferPointer { bad.add($0) }
        #expect(bad.sums.value(at: 0) == .infinity)
        [Float.nan].withUnsafeBufferPointer { bad.add($0) }
        #expect(bad.sums.value(at: 0).isNaN)
    }

    /// The exact gradient sum reduce-scattered over shards decodes, on each rank, the bits the
    /// all-reduced sum has there; the rest of the buffer stays zero.
    @Test func exactSyncOverShardsMatchesTheAllReducedSum() {
        let count = 3000, shards = [0..<1100, 1100..<1100, 1100..<3000]
        let results = ThreadWorld(size: 3).run { comm -> ([Float], [Float]) in
            func run(_ shards: [Range<Int>]?) -> [Float] {
                var g = uniformValues(count, seed: 70 + UInt64(comm.rank))
                return g.withUnsafeMutableBufferPointer { b in
                    let sync = ExactGradientSync(comm: comm, gradients: b, bucketMiB: 0, overlap: true, threads: 1, shards: shards)
                    sync.beginStep()
                    for range in [2000..<3000, 1000..<2000, 0..<1000] { try! sync.gradientsFinal(range, last: true) }
                    _ = try! sync.finish()
                    return Array(b)
                }
            }
            return (run(nil), run(shards))
        }
        for (rank, (whole, sharded)) in results.enumerated() {
            let shard = shards[rank]
            #expect(Array(whole[shard]).map(\.bitPattern) == Array(sharded[shard]).map(\.bitPattern), "rank \(rank)")
            #expect(sharded.indices.filter { !shard.contains($0) }.allSatisfy { sharded[$0] == 0 }, "rank \(rank)")
        }
    }
}
