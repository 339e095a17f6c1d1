import Foundation
import Testing
import TestSupport

/// No rank outlives its job (issue 28, item 2): once mpirun is gone, its ranks stop at once and
/// write nothing more, so a `--resume` started right after never races them.
@Suite(.serialized) struct OrphanRankTests {
    static let mpirunAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun")

    @Test(.enabled(if: mpirunAvailable, "needs mpirun"))
    func ranksDieWithMpirunAndSaveNothingAfter() throws {
        let dir = try TestDirectory.make("orphan")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run")
        let job = try Self.startJob(dir)
        defer { if job.isRunning { kill(job.processIdentifier, SIGKILL) } }
        try Self.waitForFile(run.appendingPathComponent("latest"), while: job, seconds: 240)
        let ranks = Self.children(of: job.processIdentifier)
        #expect(ranks.count == 2, "expected 2 ranks under mpirun, found \(ranks)")

        // Two quick SIGINTs make mpirun exit at once, without waiting for its ranks.
        kill(job.processIdentifier, SIGINT)
        usleep(50_000)
        kill(job.processIdentifier, SIGINT)
        let exitDeadline = Date().addingTimeInterval(10)
        while job.isRunning, Date() < exitDeadline { usleep(10_000) }
        if job.isRunning { kill(job.processIdentifier, SIGKILL) }
        job.waitUntilExit()
        let saved = Self.checkpoints(run)

        let gone = Date().addingTimeInterval(1)
        while ranks.contains(where: Self.isAlive), Date() < gone { usleep(20_000) }
        let survivors = ranks.filter(Self.isAlive)
        #expect(survivors.isEmpty, "ranks \(survivors) still run 1 s after mpirun exited")
        survivors.forEach { kill($0, SIGKILL) }
        Thread.sleep(forTimeInterval: 3)
        #expect(Self.checkpoints(run) == saved, "checkpoints changed after mpirun exited")
    }

    /// mpirun -n 2 training gpt-tiny for far longer than the test, saving every step (so a rank that outlives mpirun by 0.1 s writes one more).
    static func startJob(_ dir: URL) throws -> Process {
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        let job = Process()
        job.executableURL = URL(fileURLWithPath: "/usr/bin/mpirun")
        job.arguments = ["-n", "2", "--oversubscribe", "--bind-to", "none", "--mca", "plm_rsh_agent", "false", "-x", "OPENBLAS_NUM_THREADS",
                         TrainerProcess.executable.path, "configs/gpt-tiny.json"]
            + TinyRun.settings(dir, steps: 1_000_000) + ["--set", "checkpoint.every=1", "--set", "training.log_every=1000"]
        job.environment = env
        job.currentDirectoryURL = TrainerProcess.root
        job.standardOutput = FileHandle.nullDevice
        job.standardError = FileHandle.nullDevice
        job.standardInput = FileHandle.nullDevice
        try job.run()
        return job
    }

    static func waitForFile(_ file: URL, while job: Process, seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !FileManager.default.fileExists(atPath: file.path) {
            guard job.isRunning, Date() < deadline else { throw OrphanTestError("no checkpoint appeared at \(file.path)") }
            usleep(20_000)
        }
    }

    /// The checkpoint directory's step folders and `latest`'s text.
    static func checkpoints(_ run: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: run.path)) ?? []
        let latest = (try? String(contentsOf: run.appendingPathComponent("latest"), encoding: .utf8)) ?? ""
        return names.filter { $0.hasPrefix("step-") }.sorted() + ["latest=" + latest]
    }

    /// Processes whose parent is `pid`, from /proc.
    static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { status($0)?.parent == pid }
    }

    /// Alive: present in /proc and not a zombie (a killed process whose new parent has not reaped it).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let s = status(pid) else { return false }
        return s.state != "Z" && s.state != "X"
    }

    /// State letter and parent pid from /proc/PID/stat (fields after the parenthesized name).
    static func status(_ pid: Int32) -> (state: String, parent: Int32)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 1, let parent = Int32(fields[1]) else { return nil }
        return (String(fields[0]), parent)
    }
}

struct OrphanTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
