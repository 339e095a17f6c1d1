import Checkpoints
import Crypto
import Foundation
import Testing
import TestSupport

/// `distributed.shard_optimizer` (ZeRO-1) end to end on gpt-tiny, 24 sequences per step in
/// micro-batches of 2: with exact sums the weights and the (one, logical) optimizer state are the
/// same bytes as unsharded at 1, 2 and 3 ranks, for AdamW and Muon; resumes between sharded and
/// unsharded runs on other rank counts are bit-identical to a run in one go.
@Suite(.serialized) struct ShardedOptimizerTests {
    static let steps = 6
    static let common = ["--set", "training.batch_tokens=768", "--set", "training.micro_batch=2", "--set", "eval.every=3",
                         "--set", "checkpoint.every=3", "--set", "training.max_steps=\(steps)"]
    static let exact = common + ["--set", "distributed.exact=true"]
    static let shard = ["--set", "distributed.shard_optimizer=true"]
    static let optimizers: [(name: String, settings: [String])] = [
        ("adamw", []),
        ("muon", ["--set", "training.optimizer=muon", "--set", "training.lr=0.02", "--set", "training.min_lr=0.002"]),
    ]

    static func train(_ dir: URL, run: String, ranks: Int, _ extra: [String]) throws -> TrainerProcess.Result {
        let result = try TrainerProcess.run(["configs/gpt-tiny.json", "--set", "checkpoint.dir=\(dir.path)/\(run)", "--set", "data.dir=\(dir.path)/data"] + extra,
                                            ranks: ranks == 1 ? nil : ranks, timeout: 600, environment: ["OPENBLAS_NUM_THREADS": "1"])
        #expect(result.status == 0, "\(run) -n \(ranks) failed: \(result.stderr)")
        return result
    }

    static func sha256(_ dir: URL, _ run: String, step: Int, _ file: String) throws -> String {
        SHA256.hash(data: try TinyRun.bytes(dir, run, step: step, file)).map { String(format: "%02x", $0) }.joined()
    }

    /// The unsharded exact reference of each optimizer at one rank, and sharded runs at 1, 2, 3.
    static let runs: URL = {
        let dir = try! TestDirectory.make("sharded")
        for o in optimizers {
            _ = try! train(dir, run: "\(o.name)-u1", ranks: 1, exact + o.settings)
            for ranks in [1, 2, 3] { _ = try! train(dir, run: "\(o.name)-s\(ranks)", ranks: ranks, exact + o.settings + shard) }
        }
        return dir
    }()

    @Test(arguments: ["adamw", "muon"])
    func shardedEqualsUnshardedBitForBitUnderExact(optimizer: String) throws {
        let dir = Self.runs, reference = "\(optimizer)-u1"
        let metrics = try RunMetrics(runDirectory: dir.appendingPathComponent(reference))
        #expect(metrics.losses.count == Self.steps)
        for ranks in [1, 2, 3] {
            let run = "\(optimizer)-s\(ranks)"
            for file in ["model.safetensors", "optimizer.safetensors"] {
                for step in [3, Self.steps] {
                    #expect(try Self.sha256(dir, run, step: step, file) == Self.sha256(dir, reference, step: step, file), "\(run) step \(step) \(file)")
                }
            }
            let other = try RunMetrics(runDirectory: dir.appendingPathComponent(run))
            #expect(other.steps == metrics.steps, "\(run): losses and gradient norms")
        }
        print("\(optimizer) sharded -n 1, 2, 3 = unsharded: model.safetensors step \(Self.steps) \(try Self.sha256(dir, reference, step: Self.steps, "model.safetensors").prefix(16))")
    }

    /// Float sums: sharded and unsharded agree to rounding (the reduce-scatter may add ranks in
    /// another order than the all-reduce, and the norm is summed by shards); the largest
    /// difference is printed.
    @Test(arguments: [2, 3])
    func floatShardedMatchesUnshardedToRounding(ranks: Int) throws {
        let dir = try TestDirectory.make("sharded-float")
        _ = try Self.train(dir, run: "u2", ranks: ranks, Self.common)
        _ = try Self.train(dir, run: "s2", ranks: ranks, Self.common + Self.shard)
        for file in ["model.safetensors", "optimizer.safetensors"] {
            let step = String(format: "step-%07d", Self.steps)
            let a = try SafetensorsFile(url: dir.appendingPathComponent("u2/\(step)/\(file)"))
            let b = try SafetensorsFile(url: dir.appendingPathComponent("s2/\(step)/\(file)"))
            #expect(a.names == b.names)
            var largest: Float = 0, scale: Float = 0
            for name in a.names {
                let x = try a.floats(named: name), y = try b.floats(named: name)
                #expect(x.count == y.count, "\(name)")
                for (p, q) in zip(x, y) {
                    largest = max(largest, abs(p - q))
                    scale = max(scale, abs(p))
                }
            }
            print("float -n \(ranks) sharded vs unsharded, \(file): max |difference| \(largest) (largest value \(scale))")
            #expect(largest <= 1e-4 * max(1, scale), "\(file): \(largest)")
        }
    }

    /// Half a run sharded at 2 ranks, the rest unsharded at 3, and the reverse, for each
    /// optimizer: the bytes of the uninterrupted unsharded run.
    @Test(arguments: ["adamw", "muon"])
    func resumeBetweenShardedAndUnshardedAtAnotherRankCountIsExact(optimizer: String) throws {
        let dir = Self.runs, settings = Self.exact + Self.optimizers.first { $0.name == optimizer }!.settings
        for (run, first, second) in [("\(optimizer)-s2u3", Self.shard, [String]()), ("\(optimizer)-u2s3", [String](), Self.shard)] {
            _ = try Self.train(dir, run: run, ranks: 2, settings + first + ["--until-step", "\(Self.steps / 2)"])
            let resumed = try Self.train(dir, run: run, ranks: 3, settings + second + ["--resume"])
            #expect(resumed.stdout.contains("resumed at step \(Self.steps / 2)"), "\(resumed.stdout)")
            #expect(!resumed.stdout.contains("no longer an exact continuation"), "\(resumed.stdout)")
            for file in ["model.safetensors", "optimizer.safetensors"] {
                #expect(try Self.sha256(dir, run, step: Self.steps, file) == Self.sha256(dir, "\(optimizer)-u1", step: Self.steps, file), "\(run): \(file)")
            }
        }
    }

    /// The classification fine-tune (a frozen block, the head's unsharded AdamW) at 3 ranks:
    /// sharded gives the unsharded bytes, the head's optimizer file included.
    @Test func shardedClassificationFineTuneEqualsUnsharded() throws {
        let dir = Self.runs
        for shard in ["false", "true"] {
            let result = try TrainerProcess.run(
                ["finetune", "configs/finetune-classify-tiny.json", "--set", "finetune.init_from=\(dir.path)/adamw-u1", "--set", "checkpoint.dir=\(dir.path)/ft-\(shard)",
                 "--set", "training.batch_tokens=768", "--set", "training.micro_batch=2", "--set", "training.max_steps=4", "--set", "eval.every=2",
                 "--set", "distributed.exact=true", "--set", "distributed.shard_optimizer=\(shard)"], ranks: 3, timeout: 600)
            #expect(result.status == 0, "shard_optimizer \(shard): \(result.stderr)")
        }
        for file in ["model.safetensors", "optimizer.safetensors", "classifier_optimizer.safetensors"] {
            #expect(try Self.sha256(dir, "ft-true", step: 4, file) == Self.sha256(dir, "ft-false", step: 4, file), "\(file)")
        }
    }

    /// A NaN in one rank's gradient reaches some rank's shard and, through the summed norm, every
    /// rank: the step is skipped everywhere and the replicas stay identical.
    @Test(arguments: ["false", "true"])
    func aNaNGradientSkipsTheStepOnEveryRank(exact: String) throws {
        let dir = try TestDirectory.make("sharded-nan")
        let result = try TrainerProcess.run(["configs/gpt-tiny.json", "--set", "checkpoint.dir=\(dir.path)/run", "--set", "data.dir=\(Self.runs.path)/data"]
                                            + Self.common + Self.shard + ["--set", "distributed.exact=\(exact)"],
                                            ranks: 3, timeout: 120, environment: ["TRAINER_FAULT": "nan:rank=1:step=3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("step 3: non-finite"), "\(result.stderr)")
        let metrics = try RunMetrics(runDirectory: dir.appendingPathComponent("run"))
        #expect(metrics.steps[3]?["grad_norm"] == "nan", "\(metrics.steps[3] ?? [:])")
        #expect(result.stdout.contains("(3 replicas identical)"), "\(result.stdout)")
    }
}
