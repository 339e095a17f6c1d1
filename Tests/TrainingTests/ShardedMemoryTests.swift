import Foundation
import GPT
import RunConfig
import Testing

/// The memory estimate under `distributed.shard_optimizer`: AdamW's moments (and Muon's buffers)
/// of the largest shard only, so that the refusal before MPI and the start-up summary count
/// 4Ψ + 4Ψ + 8Ψ/N per rank, and a run that fits only sharded is not refused.
@Suite struct ShardedMemoryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func gpt2(_ overrides: [String]) throws -> TrainConfig {
        try ConfigLoader.load(path: root.appendingPathComponent("configs/gpt2-124m.json").path, overrides: ["training.micro_batch=1"] + overrides)
    }

    @Test(arguments: [2, 4])
    func optimizerBytesAreTheLargestShardsMoments(ranks: Int) throws {
        let plainConfig = try Self.gpt2([])
        let plain = try MemoryRequirement(config: plainConfig)
        let config = try Self.gpt2(["distributed.shard_optimizer=true"])
        let sharded = try MemoryRequirement(config: config).sharded(config: config, ranks: ranks)
        let n = plain.parameters
        #expect(plain.sharded(config: plainConfig, ranks: ranks) == plain)  // off: unchanged
        #expect(sharded.shardedRanks == ranks)
        #expect(sharded.optimizerBytes == 8 * ShardPartition(count: n, ranks: ranks).largest)
        #expect(sharded.optimizerBytes <= 8 * (n / ranks + 1))
        #expect(sharded.weightBytes == plain.weightBytes && sharded.activationBytes == plain.activationBytes)
        // Muon: its momentum and updates only for the matrices inside the largest shard's rank.
        let muon = try Self.gpt2(["distributed.shard_optimizer=true", "training.optimizer=muon"])
        let m = try MemoryRequirement(config: muon), ms = m.sharded(config: muon, ranks: ranks)
        #expect(ms.muonBytes < m.muonBytes && ms.optimizerBytes < m.optimizerBytes)
    }

    @Test func aRunThatFitsOnlyShardedIsNotRefused() throws {
        let plain = try Self.gpt2([]), config = try Self.gpt2(["distributed.shard_optimizer=true"])
        let unsharded = try MemoryRequirement(config: plain), sharded = try MemoryRequirement(config: config).sharded(config: config, ranks: 4)
        // Room for 4 sharded ranks but not for 4 unsharded ones.
        let machine = AvailableMemory(bytes: 4 * sharded.totalBytes + 1, source: "a test")
        try sharded.checkFits(ranks: 4, available: machine)
        #expect(throws: ConfigError.self) { try unsharded.checkFits(ranks: 4, available: machine) }
    }
}
