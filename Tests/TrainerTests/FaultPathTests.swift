import Foundation
import Testing
import TestSupport

/// Faults injected where they happen in a real job: a NaN in a gradient before the all-reduce,
/// and checkpoint saves that are slow or never finish.
@Suite(.serialized) struct FaultPathTests {
    @Test func nanGradientOnOneRankIsSkippedEverywhereAndReplicasStayIdentical() throws {
        let dir = try TestDirectory.make("nan-gradient")
        let result = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, steps: 10) + ["--set", "checkpoint.every=5"],
                                            ranks: 2, timeout: 120, environment: ["TRAINER_FAULT": "nan:rank=1:step=3"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("step 3: non-finite"), "stderr: \(result.stderr)")
        let metrics = try RunMetrics(runDirectory: dir.appendingPathComponent("run"))
        // The NaN went through the gradient sum: the loss stayed finite, the norm did not.
        #expect(metrics.steps[3]?["skipped"] == "1" || metrics.steps[3]?["skipped"] == "true")
        #expect(Double(metrics.steps[3]?["loss"] ?? "")?.isFinite == true, "\(metrics.steps[3] ?? [:])")
        #expect(metrics.steps[3]?["grad_norm"] == "nan", "\(metrics.steps[3] ?? [:])")
        #expect(metrics.steps[4]?["skipped"] == "0" || metrics.steps[4]?["skipped"] == "false")
        // Every rank's weights and AdamW moments hashed and compared with rank 0's at each save.
        for step in [5, 10] {
            #expect(result.stdout.contains(String(format: "step %6d/10 | saved ", step - 1)), "stdout: \(result.stdout)")
        }
        #expect(result.stdout.components(separatedBy: "(2 replicas identical)").count == 3, "stdout: \(result.stdout)")
    }

    @Test func slowSaveDoesNotTripTheStepWatchdog() throws {
        let dir = try TestDirectory.make("slow-save")
        let result = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, steps: 10) + ["--set", "distributed.watchdog_s=2"],
                                            ranks: 2, timeout: 120, environment: ["TRAINER_FAULT": "slow-in-save:step=10:seconds=6"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("watchdog"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("run/step-0000010/state.json").path))
    }

    @Test func hungSaveIsReportedAfterTheSaveLimit() throws {
        let dir = try TestDirectory.make("hung-save")
        let result = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, steps: 20)
                                            + ["--set", "distributed.watchdog_s=2", "--set", "checkpoint.save_timeout_s=3"],
                                            ranks: 2, timeout: 120, environment: ["TRAINER_FAULT": "hang-in-save:step=20"])
        #expect(!result.timedOut)
        #expect(result.status != 0)
        #expect(result.stderr.contains("checkpoint.save_timeout_s = 3"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("checkpoint save"), "stderr: \(result.stderr)")
        let latest = try String(contentsOf: dir.appendingPathComponent("run/latest"), encoding: .utf8)
        #expect(latest.hasPrefix("step-0000010"), "latest: \(latest)")
    }
}
