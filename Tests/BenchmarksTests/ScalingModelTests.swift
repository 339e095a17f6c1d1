import Benchmarks
import RunConfig
import Testing

/// The α–β costs, the fit and the scaling projection on known inputs.
struct ScalingModelTests {
    static let link = LinkCost(alpha: 10e-6, beta: 1e-9)  // 10 µs, 1 GB/s
    static let fast = LinkCost(alpha: 10e-6, beta: 1e-10)  // 10 µs, 10 GB/s

    @Test func algorithmCostsMatchTheirFormulas() {
        let n = 1e6
        // p = 8: ring 2·7 α + 2·7/8 n β; Rabenseifner 2·3 α + 2·7/8 n β; binomial 2·3 (α + n β); RD 3 (α + n β).
        #expect(abs(CollectiveAlgorithm.ring.seconds(bytes: n, ranks: 8, link: Self.link) - (14 * 10e-6 + 1.75e-3)) < 1e-12)
        #expect(abs(CollectiveAlgorithm.rabenseifner.seconds(bytes: n, ranks: 8, link: Self.link) - (6 * 10e-6 + 1.75e-3)) < 1e-12)
        #expect(abs(CollectiveAlgorithm.binomial.seconds(bytes: n, ranks: 8, link: Self.link) - 6 * (10e-6 + 1e-3)) < 1e-12)
        #expect(abs(CollectiveAlgorithm.recursiveDoubling.seconds(bytes: n, ranks: 8, link: Self.link) - 3 * (10e-6 + 1e-3)) < 1e-12)
        // p = 2: ring reduce-scatter one step of n/2; binomial at 5 ranks has ⌈log₂5⌉ = 3 levels.
        #expect(abs(CollectiveAlgorithm.ringReduceScatter.seconds(bytes: n, ranks: 2, link: Self.link) - (10e-6 + 0.5e-3)) < 1e-12)
        #expect(CollectiveAlgorithm.binomial.coefficients(ranks: 5) == (messages: 6, bytes: 6))
        // Non-powers of two fold the extra ranks in and out: Rabenseifner at 6 = at 4 plus 2 α and n β.
        #expect(CollectiveAlgorithm.rabenseifner.coefficients(ranks: 6) == (messages: 6, bytes: 2.5))
        #expect(CollectiveAlgorithm.ring.coefficients(ranks: 1) == (messages: 0, bytes: 0))
    }

    @Test func openMPIsChoiceFollowsItsTable() {
        #expect(CollectiveAlgorithm.blockingAllReduce(bytes: 8_388_608, ranks: 2) == .rabenseifner)
        #expect(CollectiveAlgorithm.blockingAllReduce(bytes: 1024, ranks: 2) == .recursiveDoubling)
        #expect(CollectiveAlgorithm.blockingAllReduce(bytes: 100_000, ranks: 3) == .ring)
        #expect(CollectiveAlgorithm.blockingAllReduce(bytes: 16384, ranks: 8) == .rabenseifner)
        #expect(CollectiveAlgorithm.blockingAllReduce(bytes: 16384, ranks: 512) == .recursiveDoubling)
        #expect(CollectiveAlgorithm.nonblockingAllReduce() == .binomial)
    }

    @Test func fitRecoversAlphaAndBetaFromSyntheticPoints() throws {
        let truth = LinkCost(alpha: 37e-6, beta: 0.8e-9)
        var points: [AlphaBetaFit.Point] = []
        for (i, bytes) in [8.0, 4096, 65536, 1_048_576, 8_388_608, 55_574_528].enumerated() {
            for ranks in [2, 4] {
                let algorithm = CollectiveAlgorithm.blockingAllReduce(bytes: bytes, ranks: ranks)
                let exact = algorithm.seconds(bytes: bytes, ranks: ranks, link: truth)
                // ±1% deterministic noise, alternating in sign.
                let noise = 1 + 0.01 * (i % 2 == 0 ? 1.0 : -1.0) * (ranks == 2 ? 1 : -1)
                points.append(.init(algorithm, bytes: bytes, ranks: ranks, seconds: exact * noise))
            }
        }
        let fit = try #require(AlphaBetaFit.fit(points))
        #expect(abs(fit.link.alpha / truth.alpha - 1) < 0.03, "α \(fit.link.alpha)")
        #expect(abs(fit.link.beta / truth.beta - 1) < 0.03, "β \(fit.link.beta)")
        #expect(fit.worst < 0.03)
        // Noise-free points are recovered exactly.
        let exact = points.map { AlphaBetaFit.Point(messages: $0.messages, byteTerm: $0.byteTerm, seconds: $0.predicted(truth)) }
        let clean = try #require(AlphaBetaFit.fit(exact))
        #expect(abs(clean.link.alpha / truth.alpha - 1) < 1e-9 && abs(clean.link.beta / truth.beta - 1) < 1e-9)
        #expect(AlphaBetaFit.fit(Array(points.prefix(1))) == nil)
        // The two-regime fit: α from the points under 64 KiB, β from those of 1 MiB and more.
        let two = try #require(AlphaBetaFit.fitTwoRegimes(latency: exact.filter { $0.byteTerm < 65536 },
                                                           bandwidth: exact.filter { $0.byteTerm >= 1_048_576 }))
        // Exact points are recovered although 4 KiB's β term (3.3 µs) is 8% of its time.
        #expect(abs(two.link.alpha / truth.alpha - 1) < 1e-6 && abs(two.link.beta / truth.beta - 1) < 1e-6, "\(two.link) \(two.residuals)")
        #expect(two.residuals.count == exact.filter { $0.byteTerm < 65536 || $0.byteTerm >= 1_048_576 }.count && two.worst < 1e-6)
        #expect(AlphaBetaFit.fitTwoRegimes(latency: [], bandwidth: exact) == nil)
    }

    /// A model with round numbers: 1 µs per token, 1000 tokens per rank, backward 2/3.
    static func model(overlap: Bool, shard: Bool = false, micro: Int = 1000, link: LinkCost = link) -> ScalingModel {
        ScalingModel(computeSecondsPerToken: 1e-6, backwardFraction: 2.0 / 3, optimizerSeconds: 1e-4, otherSeconds: 0,
                     tokensPerRank: 1000, microBatchTokens: micro, buckets: [4e5, 4e5, 2e5], overlap: overlap,
                     shardOptimizer: shard, nonblocking: .rabenseifner, link: link)
    }

    @Test func projectionAddsExposedCommunicationToTheStep() {
        // Overlap off at 8 ranks: three blocking Rabenseifner all-reduces, 6 α + 1.75 bytes β each.
        let off = Self.model(overlap: false).project(ranks: 8)
        let comm = 3 * 6 * 10e-6 + 1.75 * 1e6 * 1e-9
        #expect(abs(off.commSeconds - comm) < 1e-12)
        #expect(abs(off.exposedSeconds - comm) < 1e-12)
        #expect(abs(off.stepSeconds - (1e-3 + 1e-4 + comm)) < 1e-12)
        #expect(abs(off.efficiency - 1.1e-3 / off.stepSeconds) < 1e-12)
        #expect(abs(off.tokensPerSecond - 8000 / off.stepSeconds) < 1e-6)
        // Overlap on, 10 GB/s: backward of the one micro-batch (0.667 ms) hides all but the tail bucket (2e5 B).
        let on = Self.model(overlap: true, link: Self.fast).project(ranks: 8)
        let tail = 6 * 10e-6 + 1.75 * 2e5 * 1e-10
        #expect(abs(on.hideSeconds - 2e-3 / 3) < 1e-12)
        #expect(on.hidden && abs(on.exposedSeconds - tail) < 1e-12)
        // One rank: no communication, efficiency 1.
        #expect(Self.model(overlap: true).project(ranks: 1).efficiency == 1)
    }

    @Test func communicationStopsHidingWhereTheModelSays() {
        // A slow link (100 MB/s, 100 µs): comm at 2 ranks = 3·(2α + n β) = 0.6 ms + 10 ms > 0.667 ms.
        let slow = Self.model(overlap: true, link: LinkCost(alpha: 100e-6, beta: 1e-8))
        #expect(slow.firstExposedRanks() == 2)
        let p = slow.project(ranks: 2)
        #expect(abs(p.exposedSeconds - (p.commSeconds - p.hideSeconds)) < 1e-12)
        // 10 GB/s: 3 buckets × 2 log₂p α + 1e6 B · (2 − 2/p) · 0.1 ns first passes 0.667 ms at 256 ranks (0.679 ms; 0.618 at 128).
        let fast = Self.model(overlap: true, link: Self.fast)
        #expect(fast.firstExposedRanks() == 256)
        #expect(!fast.project(ranks: 256).hidden && fast.project(ranks: 128).hidden)
        #expect(Self.model(overlap: true).firstExposedRanks() == 2)
        #expect(Self.model(overlap: false).firstExposedRanks() == nil)
    }

    @Test func shardedStepAddsTheAllGatherAndSplitsTheOptimizer() {
        let p = Self.model(overlap: false, shard: true).project(ranks: 4)
        // Per bucket a ring reduce-scatter (3 α + 3/4 b β), then one ring all-gather of the 1e6 bytes.
        let reduce = 3 * 3 * 10e-6 + 0.75 * 1e6 * 1e-9, gather = 3 * 10e-6 + 0.75 * 1e6 * 1e-9
        #expect(abs(p.commSeconds - (reduce + gather)) < 1e-12)
        #expect(abs(p.stepSeconds - (1e-3 + 1e-4 / 4 + reduce + gather)) < 1e-12)
    }

    @Test func bucketsFollowGradientSync() throws {
        var config = try ConfigLoader.load(path: "configs/gpt-tiny.json")
        config.distributed.bucketMb = 0.05  // 13107 floats: gpt-tiny's ranges merge into a few buckets
        let flat = GradientBuckets.sizes(config: config, overlap: false)
        let over = GradientBuckets.sizes(config: config, overlap: true)
        #expect(flat.reduce(0, +) == 171_520 && over.reduce(0, +) == 171_520)
        #expect(flat.allSatisfy { $0 <= 52428 } && over.allSatisfy { $0 <= 52428 })
        #expect(flat.count == 4)
    }
}
