import Collectives
import GPT
import Testing
import TestSupport
import Training

/// ZeRO-1's gradient reduce-scatter through the real `GradientSync` bucket code on ThreadWorld's
/// ranks: every rank's shard ends with the sum over ranks, with and without overlap, for shards
/// that cut buckets and one that is empty.
@Suite struct ShardedSyncTests {
    @Test(arguments: [false, true])
    func eachRankGetsTheSumOfItsShard(overlap: Bool) throws {
        let count = 5000, ranks = 3
        // 0..<3400 kept whole: the even boundaries 1666 and 3333 move to 0 and 3400, rank 0's shard is empty.
        let partition = ShardPartition(count: count, ranks: ranks, whole: [0..<3400])
        #expect(partition.shards == [0..<0, 0..<3400, 3400..<5000])
        let results = ThreadWorld(size: ranks).run { comm -> Result<[Float], CollectiveError> in
            let g = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            defer { g.deallocate() }
            for i in 0..<count { g[i] = Float((comm.rank + 1) * 1000 + i) }
            let sync = GradientSync(comm: comm, gradients: g, bucketMiB: 0, overlap: overlap, shards: partition)
            sync.beginStep()
            do throws(CollectiveError) {
                for range in [4000..<5000, 3100..<4000, 3000..<3100, 1000..<3000, 0..<1000] { try sync.gradientsFinal(range) }
                try sync.finish()
            } catch { return .failure(error) }
            return .success(Array(g[partition.shards[comm.rank]]))
        }
        for (rank, result) in results.enumerated() {
            let expected = partition.shards[rank].map { i in Float((1...ranks).reduce(0) { $0 + $1 * 1000 + i }) }
            #expect(try result.get() == expected, "rank \(rank), overlap \(overlap), shards \(partition.shards)")
        }
    }
}
