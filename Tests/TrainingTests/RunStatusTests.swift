import Foundation
import Testing
import Training

/// An error exit is recorded as "failed" with its error line, only in a status this job owns.
@Suite struct RunStatusTests {
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-status-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func failureReplacesThisJobsRunningStatus() throws {
        let dir = try Self.directory()
        let log = try MetricsLog(runDirectory: dir, logEvery: 1, maxSteps: 10, fresh: true, worldSize: 2, step: 4, tokens: 400)
        _ = log
        RunStatus.recordFailure(runDirectory: dir, message: "[rank 0] error: disk full", worldSize: 2)
        let status = try RunStatus.read(runDirectory: dir)
        #expect(status.state == "failed")
        #expect(status.error == "[rank 0] error: disk full")
        #expect(status.step == 4 && status.tokens == 400 && status.worldSize == 2)
        #expect(status.liveness() == "failed")
    }

    /// A job that may still be running (a live pid: 1 always is) keeps its status: a second run
    /// refused by the checkpoint lock must not overwrite it.
    @Test func failureLeavesAnotherRunningJobsStatusAlone() throws {
        let dir = try Self.directory()
        var other = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.writeRunning(dir))) as! [String: Any]
        other["pid"] = 1
        try JSONSerialization.data(withJSONObject: other).write(to: dir.appendingPathComponent(RunStatus.fileName))
        RunStatus.recordFailure(runDirectory: dir, message: "[rank 0] error: late", worldSize: 1)
        let status = try RunStatus.read(runDirectory: dir)
        #expect(status.state == "running" && status.error == nil && status.pid == 1)
    }

    /// A --resume that fails while loading replaces the earlier, ended job's "finished" (issue 28,
    /// item 7) and names the checkpoint `latest` points to, though this job saved none.
    @Test func failureReplacesAnEndedJobsStatusWithTheRealLastCheckpoint() throws {
        let dir = try Self.directory()
        var other = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.writeRunning(dir))) as! [String: Any]
        other["pid"] = 1
        other["state"] = "finished"
        try JSONSerialization.data(withJSONObject: other).write(to: dir.appendingPathComponent(RunStatus.fileName))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("step-0000010"), withIntermediateDirectories: true)
        try Data("step-0000010\n".utf8).write(to: dir.appendingPathComponent("latest"))
        RunStatus.recordFailure(runDirectory: dir, message: "[rank 0] error: every checkpoint is damaged", worldSize: 2)
        let status = try RunStatus.read(runDirectory: dir)
        #expect(status.state == "failed" && status.error == "[rank 0] error: every checkpoint is damaged")
        #expect(status.pid == getpid() && status.worldSize == 2)
        #expect(status.lastCheckpoint == "step-0000010")
    }

    @Test func failureIsWrittenIntoAnExistingDirectoryWithoutStatus() throws {
        let dir = try Self.directory()
        RunStatus.recordFailure(runDirectory: dir, message: "[rank 0] error: bad shard", worldSize: 2)
        let status = try RunStatus.read(runDirectory: dir)
        #expect(status.state == "failed" && status.error == "[rank 0] error: bad shard" && status.step == 0)
        let missing = dir.appendingPathComponent("not-created")
        RunStatus.recordFailure(runDirectory: missing, message: "[rank 0] error: x", worldSize: 1)
        #expect(!FileManager.default.fileExists(atPath: missing.path))
    }

    /// Writes a running status of this process into `dir` and returns its file.
    static func writeRunning(_ dir: URL) throws -> URL {
        _ = try MetricsLog(runDirectory: dir, logEvery: 1, maxSteps: 10, fresh: true)
        return dir.appendingPathComponent(RunStatus.fileName)
    }
}
