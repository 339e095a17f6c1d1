import Foundation
import Testing
import TestSupport

/// One run per checkpoint directory (issue 28, item 3): a second run on a directory another run
/// is training into stops before it reads or writes anything there, naming the holder, and the
/// first run's checkpoints and metrics are left as they were.
@Suite(.serialized) struct CheckpointLockRunTests {
    @Test(.enabled(if: OrphanRankTests.mpirunAvailable, "needs mpirun"))
    func secondRunOnOneDirectoryIsRefused() throws {
        let dir = try TestDirectory.make("lock-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run")
        let job = try OrphanRankTests.startJob(dir)
        defer { if job.isRunning { kill(job.processIdentifier, SIGKILL); job.waitUntilExit() } }
        try OrphanRankTests.waitForFile(run.appendingPathComponent("latest"), while: job, seconds: 240)

        let second = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, steps: 1_000_000) + ["--resume"], timeout: 120)
        #expect(second.status != 0)
        #expect(second.stderr.contains("another run is using this checkpoint directory"), "unexpected refusal: \(second.stderr)")
        #expect(second.stderr.contains("pid \(Self.rankZero(of: job))"), "the refusal should name the holder: \(second.stderr)")
        #expect(job.isRunning, "the first run must go on")

        #expect(!second.stdout.contains("resumed at step"), "the second run read the checkpoint before refusing")

        // The first run still appends whole JSON lines: nothing of the second reached the metrics.
        kill(job.processIdentifier, SIGKILL)
        job.waitUntilExit()
        let metrics = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        for line in metrics.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "malformed metrics line: \(line)")
        }
    }

    /// The PID of rank 0 under mpirun `job` (its lowest-numbered child: the ranks start in order).
    static func rankZero(of job: Process) -> Int32 {
        OrphanRankTests.children(of: job.processIdentifier).min() ?? -1
    }
}
