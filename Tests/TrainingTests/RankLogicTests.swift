import Collectives
import Foundation
import Testing
import TestSupport
import Training

/// The cross-rank logic of a step without MPI: several ranks on threads (`ThreadWorld`) run the
/// real GradientSync, ReplicaCheck, StartupCheck and agree code (issue 21, item 7).
@Suite struct RankLogicTests {
    /// Rank r's gradients: element i holds (r + 1) · 1000 + i, exact in Float for these sizes.
    static func gradients(rank: Int, count: Int) -> UnsafeMutableBufferPointer<Float> {
        let g = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        for i in 0..<count { g[i] = Float((rank + 1) * 1000 + i) }
        return g
    }

    @Test(arguments: [false, true])
    func bucketsMergeAdjacentRangesAndSumEveryGradient(overlap: Bool) throws {
        let count = 5000, ranks = 3
        let results = ThreadWorld(size: ranks).run { comm -> Result<[Float], CollectiveError> in
            let g = Self.gradients(rank: comm.rank, count: count)
            defer { g.deallocate() }
            // Buckets of 1024 elements (the floor), ranges reported last layer first, as backward does.
            let sync = GradientSync(comm: comm, gradients: g, bucketMiB: 0, overlap: overlap)
            sync.beginStep()
            do throws(CollectiveError) {
                for range in [4000..<5000, 3100..<4000, 3000..<3100, 1000..<3000, 0..<1000] { try sync.gradientsFinal(range) }
                try sync.finish()
            } catch { return .failure(error) }
            return .success(Array(g))
        }
        let expected = (0..<count).map { i in Float((1...ranks).reduce(0) { $0 + $1 * 1000 + i }) }
        for (rank, result) in results.enumerated() {
            #expect(try result.get() == expected, "rank \(rank), overlap \(overlap)")
        }
    }

    @Test func bucketsThatMissPartOfTheBufferAreAnError() {
        let results = ThreadWorld(size: 2).run { comm -> String? in
            let g = Self.gradients(rank: comm.rank, count: 3000)
            defer { g.deallocate() }
            let sync = GradientSync(comm: comm, gradients: g, bucketMiB: 0, overlap: true)
            sync.beginStep()
            do throws(CollectiveError) {
                try sync.gradientsFinal(1000..<3000)  // 0..<1000 never reported
                try sync.finish()
                return nil
            } catch { return error.description }
        }
        for message in results {
            #expect(message?.contains("backward reported 2000 of 3000 gradients as final") == true, "\(message ?? "no error")")
        }
    }

    @Test func replicaCheckNamesTheRanksThatDiffer() {
        let results = ThreadWorld(size: 4).run { comm -> String in
            let weights = Self.gradients(rank: 0, count: 777)
            defer { weights.deallocate() }
            if comm.rank == 2 { weights[500] = weights[500].nextUp }  // one bit on one rank
            do { return "identical \(try ReplicaCheck.verify([weights], step: 9, comm: comm))" } catch { return "\(error)" }
        }
        for message in results {
            #expect(message.contains("after step 9 the weights or optimizer state of rank 2 differ from rank 0's"), "\(message)")
        }
        let same = ThreadWorld(size: 3).run { comm -> Int in
            let weights = Self.gradients(rank: 0, count: 777)
            defer { weights.deallocate() }
            return (try? ReplicaCheck.verify([weights], step: 1, comm: comm)) ?? -1
        }
        #expect(same == [3, 3, 3])
    }

    @Test func startupCheckNamesTheRankAndWhatDiffers() {
        let results = ThreadWorld(size: 3).run { comm -> String? in
            let config: [UInt8] = comm.rank == 1 ? [1, 2, 4] : [1, 2, 3]
            let print = StartupCheck.Fingerprint(config: config, binary: [9], data: Array("abc".utf8))
            return (try? StartupCheck.compare(print, comm: comm)) ?? "collective failed"
        }
        for message in results {
            #expect(message?.hasPrefix("rank 1 differs from rank 0 in: config —") == true, "\(message ?? "no mismatch found")")
        }
        #expect(Set(results.map { $0 ?? "" }).count == 1, "every rank must get the same message")
    }

    @Test func agreeStopsEveryRankWithTheLowestFailingRanksMessage() {
        let results = ThreadWorld(size: 4).run { comm -> String in
            do {
                let value = try comm.agree { () throws -> Int in
                    if comm.rank >= 2 { throw RankFailure(rank: comm.rank, message: "rank \(comm.rank) cannot read its shard") }
                    return comm.rank
                }
                return "value \(value)"
            } catch { return "\(error)" }
        }
        #expect(results == Array(repeating: "rank 2 cannot read its shard", count: 4))
        let roots = ThreadWorld(size: 3).run { comm -> Int? in
            do { return try comm.agreeOnRoot { 42 } } catch { return -1 }
        }
        #expect(roots == [42, nil, nil])
    }
}
