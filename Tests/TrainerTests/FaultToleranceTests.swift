import Foundation
import Testing
import TestSupport

/// Injected faults (TRAINER_FAULT): a dead rank, a hung rank, NaN gradients, a crash during a
/// save and a full disk end the job promptly and clearly, and never cost saved work.
@Suite(.serialized) struct FaultToleranceTests {
    @Test func deadRankEndsTheJobAndResumeFinishesBitIdentical() throws {
        let dir = try TestDirectory.make("dead-rank")
        try TinyRun.train(dir, run: "whole", steps: 40, ranks: 2)
        let crashed = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, run: "split", steps: 40), ranks: 2, timeout: 60,
                                             environment: ["TRAINER_FAULT": "crash:rank=1:step=15"])
        #expect(!crashed.timedOut)
        #expect(crashed.status != 0)
        #expect(crashed.stderr.contains("rank 1"), "stderr: \(crashed.stderr)")
        try TinyRun.train(dir, run: "split", steps: 40, ranks: 2, ["--resume"])
        for file in ["model.safetensors", "optimizer.safetensors"] {
            #expect(try TinyRun.bytes(dir, "whole", step: 40, file) == TinyRun.bytes(dir, "split", step: 40, file), "\(file) differs")
        }
    }

    @Test func watchdogEndsAHungJobNamingTheRank() throws {
        let dir = try TestDirectory.make("hang")
        let result = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, steps: 40) + ["--set", "distributed.watchdog_s=3"],
                                            ranks: 2, timeout: 60, environment: ["TRAINER_FAULT": "hang:rank=1:step=5"])
        #expect(!result.timedOut)
        #expect(result.status != 0)
        #expect(result.stderr.contains("watchdog"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("rank 1 did not arrive"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("forward/backward at step 5"))
        let status = try RunMetrics.status(dir.appendingPathComponent("run"))
        #expect(status["state"] as? String == "failed")
        #expect((status["error"] as? String)?.contains("rank 1 did not arrive") == true, "status.json: \(status)")
    }

    @Test func nonFiniteStepIsSkippedOnEveryRank() throws {
        let dir = try TestDirectory.make("nan-skip")
        let result = try TinyRun.train(dir, steps: 20, ranks: 2, []) // reference run
        _ = result
        let faulty = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, run: "faulty", steps: 20), ranks: 2, timeout: 120,
                                            environment: ["TRAINER_FAULT": "nan:rank=1:step=3:count=2"])
        #expect(faulty.status == 0, "stderr: \(faulty.stderr)")
        #expect(faulty.stderr.contains("step 3: non-finite"))
        #expect(faulty.stderr.contains("step 4: non-finite"))
        let metrics = try RunMetrics(runDirectory: dir.appendingPathComponent("faulty"))
        #expect(metrics.steps[3]?["skipped"] == "1" || metrics.steps[3]?["skipped"] == "true")
        #expect(metrics.steps[5]?["skipped"] == "0" || metrics.steps[5]?["skipped"] == "false")
        // Steps before the fault are untouched; the skipped updates change what follows.
        let clean = try RunMetrics(runDirectory: dir.appendingPathComponent("run"))
        #expect(metrics.steps[2] == clean.steps[2])
        #expect(metrics.losses[5] != clean.losses[5])
    }

    @Test func tooManyNonFiniteStepsStopWithoutSaving() throws {
        let dir = try TestDirectory.make("nan-stop")
        let result = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, steps: 40) + ["--set", "checkpoint.every=2", "--set", "training.max_skipped_steps=3"],
                                            ranks: 2, timeout: 120, environment: ["TRAINER_FAULT": "nan:rank=0:step=7:count=100"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("4 steps in a row"), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("MPI_ABORT"))
        let latest = try String(contentsOf: dir.appendingPathComponent("run/latest"), encoding: .utf8)
        #expect(latest.hasPrefix("step-0000006"), "latest: \(latest)")
    }

    @Test func crashDuringSaveKeepsThePreviousCheckpoint() throws {
        let dir = try TestDirectory.make("crash-save")
        let crashed = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, steps: 40), ranks: 2, timeout: 60,
                                             environment: ["TRAINER_FAULT": "crash-in-save:step=20"])
        #expect(crashed.status != 0)
        let latest = try String(contentsOf: dir.appendingPathComponent("run/latest"), encoding: .utf8)
        #expect(latest.hasPrefix("step-0000010"))
        let eval = try TrainerProcess.run(["eval", dir.appendingPathComponent("run").path], timeout: 60)
        #expect(eval.status == 0, "the previous checkpoint should still validate: \(eval.stderr)")
        let resumed = try TinyRun.train(dir, steps: 40, ranks: 2, ["--resume"])
        #expect(resumed.stdout.contains("resumed at step 10"))
    }

    /// Why a small tmpfs cannot be mounted here (one is mounted and unmounted to find out), or nil.
    static let cannotMount: String? = {
        guard let dir = try? TestDirectory.make("mount-probe") else { return "cannot create a temporary directory" }
        defer { try? FileManager.default.removeItem(at: dir) }
        guard shell("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.path]) == 0 else {
            return "cannot mount a small tmpfs here (needs root or CAP_SYS_ADMIN)"
        }
        _ = shell("/bin/umount", [dir.path])
        return nil
    }()

    @Test(.enabled(if: FaultToleranceTests.cannotMount == nil, Comment(rawValue: FaultToleranceTests.cannotMount ?? "")))
    func fullDiskIsAClearErrorAndKeepsThePreviousCheckpoint() throws {
        let dir = try TestDirectory.make("enospc")
        let mount = dir.appendingPathComponent("small-disk")
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        // About one gpt-tiny checkpoint (~0.5 MB) fits, two do not.
        try #require(Self.shell("/bin/mount", ["-t", "tmpfs", "-o", "size=900k", "tmpfs", mount.path]) == 0, "mounting a tmpfs at \(mount.path) failed")
        defer { _ = Self.shell("/bin/umount", [mount.path]) }
        let result = try TrainerProcess.run(["configs/gpt-tiny.json", "--set", "data.dir=\(dir.path)/data", "--set", "checkpoint.dir=\(mount.path)/run",
                                             "--set", "training.max_steps=40", "--set", "checkpoint.keep=5"], ranks: 2, timeout: 120)
        #expect(result.status != 0)
        #expect(result.stderr.contains("No space left on device"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("free space"))
        #expect(!result.stderr.contains("MPI_ABORT"))
        let latest = try String(contentsOf: mount.appendingPathComponent("run/latest"), encoding: .utf8)
        #expect(latest.hasPrefix("step-0000010"))
        let eval = try TrainerProcess.run(["eval", mount.appendingPathComponent("run").path], timeout: 60)
        #expect(eval.status == 0, "stderr: \(eval.stderr)")
    }

    @Test func statusReportsFinishedAndDeadJobs() throws {
        let dir = try TestDirectory.make("status")
        try TinyRun.train(dir, steps: 10)
        let finished = try TrainerProcess.run(["status", dir.appendingPathComponent("run").path, "--json"], timeout: 30)
        let object = try JSONSerialization.jsonObject(with: Data(finished.stdout.utf8)) as! [String: Any]
        #expect(object["liveness"] as? String == "finished")
        #expect(object["step"] as? Int == 10)
        #expect(object["last_checkpoint"] as? String == "step-0000010")
        _ = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, run: "dead", steps: 40), ranks: 2, timeout: 60,
                                   environment: ["TRAINER_FAULT": "crash:rank=0:step=5"])
        let dead = try TrainerProcess.run(["status", dir.appendingPathComponent("dead").path], timeout: 30)
        #expect(dead.stdout.contains("dead"), "status: \(dead.stdout)")
    }

    /// An error exit under mpirun leaves "failed" and the error line in status.json, and
    /// `trainer status` shows both, as text and as JSON.
    @Test func statusReportsAFailedJobWithItsError() throws {
        let dir = try TestDirectory.make("status-failed")
        let failed = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, steps: 40) + ["--set", "training.max_skipped_steps=2"],
                                            ranks: 2, timeout: 120, environment: ["TRAINER_FAULT": "nan:rank=1:step=5:count=100"])
        #expect(!failed.timedOut)
        #expect(failed.status != 0)
        let errorLine = try #require(failed.stderr.split(separator: "\n").last { $0.contains("error:") }, "stderr: \(failed.stderr)")
        let run = dir.appendingPathComponent("run").path
        let json = try TrainerProcess.run(["status", run, "--json"], timeout: 30)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "stdout: \(json.stdout)")
        #expect(object["state"] as? String == "failed")
        #expect(object["liveness"] as? String == "failed")
        #expect(object["error"] as? String == String(errorLine), "status.json: \(json.stdout)")
        #expect(object["step"] as? Int ?? 0 >= 5)
        let text = try TrainerProcess.run(["status", run], timeout: 30)
        #expect(text.status == 0)
        #expect(text.stdout.contains("\(run): failed"), "status: \(text.stdout)")
        #expect(text.stdout.contains("failed with: \(errorLine)"), "status: \(text.stdout)")
    }

    @Test func superviseResumesAfterACrash() throws {
        let dir = try TestDirectory.make("supervise")
        try TinyRun.train(dir, run: "whole", steps: 40)
        let marker = dir.appendingPathComponent("fault-fired").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [TrainerProcess.root.appendingPathComponent("launch/supervise.sh").path, "--max-restarts", "2", "--delay", "0", "--",
                             TrainerProcess.executable.path, "configs/gpt-tiny.json"] + TinyRun.settings(dir, run: "supervised", steps: 40)
        var env = ProcessInfo.processInfo.environment
        env["TRAINER_FAULT"] = "crash:rank=0:step=25:once=\(marker)"
        process.environment = env
        process.currentDirectoryURL = TrainerProcess.root
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        let stderr = DrainedPipe(err)
        try process.run()
        process.waitUntilExit()
        let text = stderr.text()
        #expect(process.terminationStatus == 0, "supervise: \(text)")
        #expect(text.contains("restarting with --resume"))
        #expect(FileManager.default.fileExists(atPath: marker))
        #expect(try TinyRun.bytes(dir, "whole", step: 40, "model.safetensors") == TinyRun.bytes(dir, "supervised", step: 40, "model.safetensors"))
    }

    private static func shell(_ path: String, _ arguments: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}
