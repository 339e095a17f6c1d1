import Checkpoints
import Foundation
import Testing
import TestSupport

/// `training.optimizer` "muon" end to end on gpt-tiny: every objective and both families train,
/// resume is exact at one and two ranks, and a checkpoint of the other optimizer is refused.
@Suite(.serialized) struct MuonTrainingTests {
    /// Muon at its usual rate (AdamW group at the automatic lr / 4 = 5e-3).
    static let muon = ["--set", "training.optimizer=muon", "--set", "training.lr=0.02", "--set", "training.min_lr=0.002"]

    /// Training losses of a run directory in step order.
    static func losses(_ run: URL) throws -> [Double] {
        let byStep = try RunMetrics(runDirectory: run).losses
        return byStep.keys.sorted().map { byStep[$0]! }
    }

    /// Every loss finite and the last five below the first five on average by more than `margin`.
    static func expectFalling(_ losses: [Double], _ what: String, by margin: Double = 0.3) {
        #expect(losses.count >= 10 && losses.allSatisfy(\.isFinite), "\(what): \(losses)")
        let first = losses.prefix(5).reduce(0, +) / 5, last = losses.suffix(5).reduce(0, +) / 5
        #expect(last < first - margin, "\(what): mean loss \(first) over the first five steps, \(last) over the last five")
    }

    @Test func gpt2AndLlamaPreTrainingLossFalls() throws {
        let dir = try TestDirectory.make("muon-pretrain")
        try TinyRun.train(dir, run: "gpt2", steps: 30, Self.muon)
        Self.expectFalling(try Self.losses(dir.appendingPathComponent("gpt2")), "gpt2")
        try TinyRun.train(dir, run: "llama", steps: 30, Self.muon + ["--set", "model.family=llama"])
        Self.expectFalling(try Self.losses(dir.appendingPathComponent("llama")), "llama")
        // The step-30 checkpoint holds Muon's momentum under torch's names, not AdamW moments of those matrices.
        let file = try SafetensorsFile(url: dir.appendingPathComponent("llama/step-0000030/optimizer.safetensors"))
        #expect(file.metadata["optimizer"] == "Muon+AdamW")
        #expect(try file.floats(named: "momentum_buffer.model.layers.0.self_attn.q_proj.weight").contains { $0 != 0 })
        #expect(try file.floats(named: "exp_avg.model.embed_tokens.weight").contains { $0 != 0 })
        #expect(!file.names.contains("exp_avg.model.layers.0.self_attn.q_proj.weight"))
    }

    /// 2×10 steps with a resume in between give the bytes of 20 steps in one go, and the same
    /// rank count gives the same bits run after run.
    @Test(arguments: [1, 2])
    func resumeIsExact(ranks: Int) throws {
        let dir = try TestDirectory.make("muon-resume-\(ranks)")
        try TinyRun.train(dir, run: "whole", steps: 20, ranks: ranks, Self.muon)
        try TinyRun.train(dir, run: "again", steps: 20, ranks: ranks, Self.muon)
        try TinyRun.train(dir, run: "split", steps: 20, ranks: ranks, Self.muon + ["--until-step", "10"])
        let resumed = try TinyRun.train(dir, run: "split", steps: 20, ranks: ranks, Self.muon + ["--resume"])
        #expect(resumed.stdout.contains("resumed at step 10"), "stdout: \(resumed.stdout)")
        for file in ["model.safetensors", "optimizer.safetensors"] {
            let whole = try TinyRun.bytes(dir, "whole", step: 20, file)
            #expect(whole == (try TinyRun.bytes(dir, "split", step: 20, file)), "\(file) differs after resume at -n \(ranks)")
            #expect(whole == (try TinyRun.bytes(dir, "again", step: 20, file)), "\(file) differs between two runs at -n \(ranks)")
        }
        let file = try SafetensorsFile(url: dir.appendingPathComponent("whole/step-0000020/optimizer.safetensors"))
        #expect(file.metadata["optimizer"] == "Muon+AdamW")
        #expect(try file.floats(named: "momentum_buffer.h.1.mlp.c_proj.weight").contains { $0 != 0 })
    }

    /// Two ranks share the Newton–Schulz work and all-gather the updates: the run is one rank's
    /// up to the rounding of the gradient sum.
    @Test func twoRanksFollowOneRank() throws {
        let dir = try TestDirectory.make("muon-ranks")
        try TinyRun.train(dir, run: "one", steps: 20, Self.muon)
        try TinyRun.train(dir, run: "two", steps: 20, ranks: 2, Self.muon)
        let one = try Self.losses(dir.appendingPathComponent("one")), two = try Self.losses(dir.appendingPathComponent("two"))
        #expect(one.count == 20 && two.count == 20)
        for (step, (a, b)) in zip(one, two).enumerated() { #expect(abs(a - b) <= 1e-4 * abs(a), "step \(step): \(a) vs \(b)") }
    }

    /// Resuming with the other optimizer is one error line that says what to do, both ways round.
    @Test func otherOptimizersCheckpointIsRefused() throws {
        let dir = try TestDirectory.make("muon-switch")
        try TinyRun.train(dir, run: "adamw", steps: 20, ["--until-step", "10"])
        try TinyRun.train(dir, run: "muon", steps: 20, Self.muon + ["--until-step", "10"])
        for (run, extra, saved, fix) in [("adamw", Self.muon, "adamw", "training.optimizer=adamw"), ("muon", ["--inexact-resume"], "muon", "training.optimizer=muon")] {
            let result = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, run: run, steps: 20) + extra + ["--resume"],
                                                ranks: 2, timeout: 120)
            #expect(result.status != 0)
            let errors = result.stderr.split(separator: "\n").filter { $0.contains("error") }
            #expect(errors.count == 1, "stderr: \(result.stderr)")
            #expect(result.stderr.contains("holds \(saved) optimizer state") && result.stderr.contains(fix), "stderr: \(result.stderr)")
        }
    }

    @Test func instructionTuningLowersHeldOutResponseLoss() throws {
        let dir = try TestDirectory.make("muon-instruct")
        let result = try FinetuneTests.finetune("configs/finetune-instruct-tiny.json", dir, Self.muon)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let evals = try FinetuneTests.evaluations(dir.appendingPathComponent("ft"))
        let before = try #require(evals.first { $0.step == -1 }).loss, after = try #require(evals.last).loss
        #expect(after < before - 0.2, "held-out response loss \(before) → \(after)")
        Self.expectFalling(try Self.losses(dir.appendingPathComponent("ft")), "instruct", by: 0.1)
    }

    /// Classification at two ranks: the loss falls and validation accuracy beats the majority
    /// class. The head is on AdamW, at the automatic adam_lr.
    @Test func classificationBeatsTheMajorityClass() throws {
        let dir = try TestDirectory.make("muon-classify")
        let result = try FinetuneTests.finetune("configs/finetune-classify-tiny.json", dir, ranks: 2, Self.muon)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        Self.expectFalling(try Self.losses(dir.appendingPathComponent("ft")), "classify", by: 0.2)
        let accuracy = try #require(try FinetuneTests.evaluations(dir.appendingPathComponent("ft")).last?.accuracy)
        #expect(accuracy >= 0.7, "validation accuracy \(accuracy)")
    }

    /// With the embeddings and the lowest block frozen, Muon's weight decay does not move them:
    /// they keep the pre-trained bits while the block above changes.
    @Test func frozenWeightsKeepTheirBits() throws {
        let dir = try TestDirectory.make("muon-frozen")
        let result = try FinetuneTests.finetune("configs/finetune-classify-tiny.json", dir, ranks: 2,
                                                Self.muon + ["--set", "finetune.freeze_layers=1", "--set", "training.max_steps=20"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let tuned = try SafetensorsFile(url: dir.appendingPathComponent("ft/step-0000020/model.safetensors"))
        let pre = try SafetensorsFile(url: FinetuneTests.pretrained.appendingPathComponent("step-0000040/model.safetensors"))
        for name in ["wte.weight", "wpe.weight", "h.0.attn.c_attn.weight", "h.0.mlp.c_proj.weight", "h.0.ln_1.weight"] {
            #expect(try tuned.floats(named: "transformer." + name) == pre.floats(named: name), "\(name) moved although frozen")
        }
        for name in ["h.1.attn.c_attn.weight", "h.1.mlp.c_fc.weight", "h.1.ln_2.bias"] {
            #expect(try tuned.floats(named: "transformer." + name) != pre.floats(named: name), "\(name) did not train")
        }
    }
}
