import Foundation
import GPT
import RunConfig
import Testing
import Training

/// Issue 26: the start-up estimate's items against what the run allocates, and the Open MPI term
/// as modelled (midway between the largest gradient range plus one block in flight and every bucket).
@Suite struct MemoryEstimateTests {
    static func tiny(exact: Bool = true, loraR: Int = 0) -> TrainConfig {
        var c = ExactSettingsTests.tiny(exact: exact)
        if loraR > 0 {
            var f = TrainConfig.FinetuneSection()
            f.loraR = loraR
            c.finetune = f
            c.resolveLoRATargets()
        }
        return c
    }

    static func item(_ estimate: MemoryEstimate, _ prefix: String) -> Int? {
        estimate.items.first { $0.name.hasPrefix(prefix) }?.bytes
    }

    @Test func loraItemsCountWhatTheModelAndAdapterAllocate() throws {
        let c = Self.tiny(loraR: 4)
        let lora = try #require(c.lora)
        let plan = try BatchPlan(config: c, worldSize: 2)
        let model = GPTModel(config: c.model, maxBatch: plan.microBatch, maxSequence: plan.sequence, trainsBase: false)
        let adapter = LoRAAdapter(settings: lora, config: c.model, maxRows: plan.microBatch * plan.sequence)
        let estimate = try MemoryEstimate(config: c, plan: plan, baselineBytes: 0)
        let a = adapter.values.count
        #expect(a > 0 && adapter.gradients.count == a && model.gradients.isEmpty)
        #expect(estimate.requirement.adapterParameters == a)
        // The frozen base: its values only; the adapter: values and gradients.
        #expect(Self.item(estimate, "parameters (base frozen)") == 4 * (model.parameters.count + 2 * a))
        #expect(Self.item(estimate, "AdamW moments") == 8 * a)
        #expect(Self.item(estimate, "exact gradient sums") == 16 * a)
        // The adapter's gradient is all-reduced as one range when backward ends: all of it in flight.
        #expect(Self.item(estimate, "all-reduce buffers") == 16 * a)
    }

    @Test func openMPIBuffersLieMidwayBetweenTheLastRangesAndEveryBucketWithOverlap() throws {
        let layout = ParameterLayout(config: Self.tiny().model)
        let low = layout.embeddingRange.count + layout.layerRange(0).count, n = layout.totalCount
        #expect(low < n)  // else the test shows nothing
        for exact in [true, false] {
            var c = Self.tiny(exact: exact)
            c.distributed.overlap = .on  // "auto" would not overlap in this one process
            let perElement = exact ? 16 : 4
            let plan = try BatchPlan(config: c, worldSize: 2)
            #expect(Self.item(try MemoryEstimate(config: c, plan: plan, baselineBytes: 0), "all-reduce buffers") == perElement * (low + (n - low) / 2))
            c.distributed.overlap = .off  // one bucket at a time
            c.distributed.bucketMb = 0.01
            #expect(Self.item(try MemoryEstimate(config: c, plan: plan, baselineBytes: 0), "all-reduce buffers") == Int(0.01 * 1024 * 1024))
            c.distributed.overlap = .on  // ZeRO-1's reduce-scatter: every bucket still counts
            c.distributed.shardOptimizer = true
            #expect(Self.item(try MemoryEstimate(config: c, plan: plan, baselineBytes: 0), "all-reduce buffers") == perElement * layout.totalCount)
            // One rank: no all-reduce.
            #expect(Self.item(try MemoryEstimate(config: Self.tiny(exact: exact), plan: try BatchPlan(config: c, worldSize: 1), baselineBytes: 0), "all-reduce buffers") == nil)
        }
    }
}

extension MemoryEstimateTests {
    @Test func frozenLayersCountTheCopyTheTrainerKeeps() throws {
        var c = Self.tiny()
        let plan = try BatchPlan(config: c, worldSize: 1)
        #expect(Self.item(try MemoryEstimate(config: c, plan: plan, baselineBytes: 0), "frozen weights") == nil)
        var f = TrainConfig.FinetuneSection()
        f.freezeLayers = 1
        c.finetune = f
        // Trainer.frozen: the embeddings and block 0, 4 bytes each.
        let layout = ParameterLayout(config: c.model)
        #expect(Self.item(try MemoryEstimate(config: c, plan: plan, baselineBytes: 0), "frozen weights")
                == 4 * (layout.embeddingRange.count + layout.layerRange(0).count))
    }
}
