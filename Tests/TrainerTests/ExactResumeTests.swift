import Foundation
import Testing
import TestSupport

/// `--resume` continues a run only when the result would be exact: what would change the next
/// steps is refused with one line naming each field, unless `--inexact-resume` accepts it.
@Suite(.serialized) struct ExactResumeTests {
    @Test func changedSeedOrBatchIsRefusedNamingEachField() throws {
        let dir = try TestDirectory.make("resume-refused")
        try TinyRun.train(dir, steps: 20, ["--until-step", "10"])
        let before = try TinyRun.bytes(dir, "run", step: 10, "model.safetensors")
        let result = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, steps: 20)
                                            + ["--set", "training.seed=7", "--set", "training.batch_tokens=1024", "--resume"], ranks: 2, timeout: 120)
        #expect(result.status != 0)
        let errors = result.stderr.split(separator: "\n").filter { $0.contains("error") }
        #expect(errors.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("training.seed: 1337 in the checkpoint, 7 in this run"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("training.batch_tokens: 512 in the checkpoint, 1024 in this run"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("--inexact-resume"))
        #expect(try TinyRun.bytes(dir, "run", step: 10, "model.safetensors") == before)
    }

    @Test func changedDataIsRefusedUnlessAccepted() throws {
        let dir = try TestDirectory.make("resume-data")
        try TinyRun.train(dir, steps: 20, ["--until-step", "10"])
        // Re-prepare the data with another held-out share: other shards, another manifest.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("data"))
        let changed = ["--set", "data.val_fraction=0.2"]
        let refused = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, steps: 20) + changed + ["--resume"], timeout: 120)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("data:"), "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("would not continue this run exactly"), "stderr: \(refused.stderr)")
        let accepted = try TinyRun.train(dir, steps: 20, changed + ["--resume", "--inexact-resume"])
        #expect(accepted.stdout.contains("resumed at step 10"), "stderr: \(accepted.stderr)")
        #expect(accepted.stdout.contains("no longer an exact continuation"), "stdout: \(accepted.stdout)")
    }

    @Test func scheduleLengthAndCadenceMayChangeAndAreLogged() throws {
        let dir = try TestDirectory.make("resume-free")
        try TinyRun.train(dir, steps: 20, ["--until-step", "10"])
        let resumed = try TinyRun.train(dir, steps: 20, ["--set", "eval.every=5", "--set", "distributed.watchdog_s=100", "--resume"])
        #expect(resumed.stdout.contains("resume: eval.every: 10 in the checkpoint, 5 in this run (allowed)"), "stdout: \(resumed.stdout)")
        #expect(resumed.stdout.contains("resume: distributed.watchdog_s: 300 in the checkpoint, 100 in this run (allowed)"), "stdout: \(resumed.stdout)")
        #expect(!resumed.stdout.contains("no longer an exact continuation"))
    }
}
