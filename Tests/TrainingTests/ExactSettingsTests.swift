import Foundation
import GPT
import RunConfig
import Testing
import Training

/// What `distributed.exact` changes outside the loop: memory counted for the exact sums, the
/// term limit refused before a run, the rank counts named when a batch does not split, and the
/// resume line when exactness switches.
@Suite struct ExactSettingsTests {
    static func tiny(exact: Bool) -> TrainConfig {
        var c = TrainConfig()
        c.model = GPTConfig(nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 32, vocabSize: 512)
        c.training.batchTokens = 768
        c.training.microBatch = 2
        c.distributed.exact = exact
        c.distributed.overlap = .on  // "auto" would not overlap in this one process
        return c
    }

    @Test func exactSumsAddSixteenBytesPerParameter() throws {
        let float = try MemoryRequirement(config: Self.tiny(exact: false)), exact = try MemoryRequirement(config: Self.tiny(exact: true))
        #expect(float.stateBytes == 16 * float.parameters)
        #expect(exact.stateBytes == 32 * exact.parameters)
        #expect(exact.activationBytes == float.activationBytes)
        let layout = ParameterLayout(config: Self.tiny(exact: true).model), n = layout.totalCount
        let low = layout.embeddingRange.count + layout.layerRange(0).count, inFlight = low + (n - low) / 2
        for ranks in [1, 3] {
            let plan = try BatchPlan(config: Self.tiny(exact: true), worldSize: ranks)
            let withExact = try MemoryEstimate(config: Self.tiny(exact: true), plan: plan, baselineBytes: 0)
            let without = try MemoryEstimate(config: Self.tiny(exact: false), plan: plan, baselineBytes: 0)
            // The limbs themselves, and at 3 ranks (overlap on) Open MPI's temporaries of the
            // buckets in flight (midway between the embeddings and a block, and all) at 16 instead of 4 bytes.
            #expect(withExact.totalBytes - without.totalBytes == 16 * n + (ranks > 1 ? 12 * inFlight : 0), "\(ranks) ranks")
        }
    }

    @Test func moreMicroBatchesThanTheLimbsHoldAreRefused() throws {
        var c = Self.tiny(exact: true)
        c.training.batchTokens = 8192 * 2 * 32
        try ConfigValidation.check(c)
        c.training.batchTokens += 2 * 32
        do {
            try ConfigValidation.check(c)
            Issue.record("8193 micro-batches accepted with exact sums")
        } catch {
            #expect(error.location == "distributed.exact" && error.message.contains("8193 micro-batches"), "\(error)")
        }
        c.distributed.exact = false
        try ConfigValidation.check(c)
    }

    @Test func aBatchThatDoesNotSplitNamesTheRankCountsThatDo() throws {
        let c = Self.tiny(exact: true)
        #expect(BatchPlan.workingRankCounts(config: c) == [1, 2, 3, 4, 6, 12])
        do {
            _ = try BatchPlan(config: c, worldSize: 5)
            Issue.record("12 micro-batches split over 5 ranks")
        } catch {
            #expect(error.location == "training.batch_tokens")
            #expect(error.message.contains("rank counts that split it: 1, 2, 3, 4, 6, 12"), "\(error)")
        }
        var big = c
        big.training.batchTokens = 2 * 32 * 5040  // 60 divisors: the 24 smallest are named
        #expect(BatchPlan.workingRankCounts(config: big).count == 24 && BatchPlan.workingRankCounts(config: big).last == 42)
    }

    @Test func resumeSaysWhenExactnessSwitches() {
        #expect(ResumeCheck.exactNote(savedExact: false, exact: true, step: 10)?.contains("10 steps before this resume were not summed exactly") == true)
        #expect(ResumeCheck.exactNote(savedExact: true, exact: false, step: 10)?.contains("off from here on") == true)
        #expect(ResumeCheck.exactNote(savedExact: true, exact: true, step: 10) == nil)
        #expect(ResumeCheck.exactNote(savedExact: false, exact: false, step: 10) == nil)
    }
}
