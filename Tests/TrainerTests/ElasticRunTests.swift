import Foundation
import Testing
import TestSupport

/// launch/supervise.sh --hostfile across two network-namespace hosts: rank 1 crashes mid-run and
/// its host goes away; the supervisor continues on the other host alone from the last checkpoint,
/// grows back to both when the host returns, and the run ends with the weights and moments of a
/// run that never failed, byte for byte (distributed.exact; nobody sets OPENBLAS_NUM_THREADS).
@Suite(.serialized) struct ElasticRunTests {
    /// gpt-tiny with 384 sequences per step (12 micro-batches of 32), so that a step takes long
    /// enough for a host to come back while one is running.
    static let steps = 150
    static let run = ["--set", "distributed.exact=true", "--set", "training.batch_tokens=12288", "--set", "training.micro_batch=32",
                      "--set", "training.max_steps=\(steps)", "--set", "checkpoint.every=10", "--set", "eval.every=50",
                      "--set", "training.log_every=10"]
    static let crashStep = 40

    @Test(.enabled(if: NamespacePair.unavailable == nil, Comment(rawValue: NamespacePair.unavailable ?? "")))
    func aJobThatLosesAHostContinuesOnTheOtherAndEndsWithTheBitsOfAnUninterruptedRun() throws {
        let hosts = try NamespacePair.create().get()
        defer { hosts.killProcessesInA(); hosts.remove() }
        let dir = try TestDirectory.make("elastic")
        let hostfile = try hosts.writeHostfile(in: dir)
        let data = ["--set", "data.dir=\(dir.path)/data"]

        let reference = try TrainerProcess.run(["configs/gpt-tiny.json", "--set", "checkpoint.dir=\(dir.path)/reference"] + data + Self.run,
                                               ranks: 2, timeout: 300)
        try #require(reference.status == 0, "the uninterrupted -n 2 run failed: \(reference.stderr)")

        let fired = dir.appendingPathComponent("fault-fired")
        var env = hosts.environment(blasThreads: nil)
        env["TRAINER"] = TrainerProcess.executable.path
        env["TRAINER_FAULT"] = "crash:rank=1:step=\(Self.crashStep):once=\(fired.path)"
        let supervisor = try Supervisor(hosts: hosts, hostfile: hostfile, environment: env, directory: dir,
                                        trainer: ["configs/gpt-tiny.json", "--set", "checkpoint.dir=\(dir.path)/run"] + data + Self.run)
        // Host B dies with its rank; when the supervisor has gone on without it, B comes back.
        try #require(supervisor.waitFor(timeout: 120) { FileManager.default.fileExists(atPath: fired.path) },
                     "the crash fault never fired:\n\(supervisor.log())")
        hosts.removeB()
        try #require(supervisor.waitFor(timeout: 120) { supervisor.log().contains("start 2: 1 rank(s) on \(hosts.addressA) (not answering: \(hosts.addressB))") },
                     "the supervisor did not continue on host A alone:\n\(supervisor.log())")
        if let error = hosts.restoreB() { Issue.record("could not bring host B back: \(error)") }
        let status = try supervisor.wait(timeout: 300)

        let log = supervisor.log()
        #expect(status == 0, "supervise.sh exited \(status):\n\(log)")
        for line in ["start 1: 2 rank(s) on \(hosts.addressA) \(hosts.addressB)", "the job failed with status",
                     "\(hosts.addressB) answers again", "start 3: 2 rank(s) on \(hosts.addressA) \(hosts.addressB)", "the job finished"] {
            #expect(log.contains(line), "supervise.sh's log lacks \"\(line)\":\n\(log)")
        }
        let resumes = supervisor.output().split(separator: "\n").filter { $0.hasPrefix("resumed at step ") }
        #expect(resumes.count == 2, "expected a resume after the crash and one after growing back: \(resumes)")
        for file in ["model.safetensors", "optimizer.safetensors"] {
            let elastic = try LayoutEqualityTests.sha256(dir, "run", step: Self.steps, file)
            let uninterrupted = try LayoutEqualityTests.sha256(dir, "reference", step: Self.steps, file)
            #expect(elastic == uninterrupted, "\(file): elastic \(elastic), uninterrupted \(uninterrupted)")
            print("ElasticRunTests: \(file) SHA-256 elastic \(elastic), uninterrupted \(uninterrupted)")
        }
    }
}

/// launch/supervise.sh --hostfile started inside namespace A, its output going to files the test
/// reads while it runs.
struct Supervisor {
    let process = Process()
    let stdout: URL, stderr: URL

    init(hosts: NamespacePair, hostfile: URL, environment: [String: String], directory: URL, trainer: [String]) throws {
        stdout = directory.appendingPathComponent("supervise.out")
        stderr = directory.appendingPathComponent("supervise.err")
        FileManager.default.createFile(atPath: stdout.path, contents: nil)
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        let root = TrainerProcess.root
        process.executableURL = URL(fileURLWithPath: NamespacePair.ip)
        process.arguments = ["netns", "exec", hosts.nameA, root.appendingPathComponent("launch/supervise.sh").path,
                             "--hostfile", hostfile.path, "--rsh-agent", root.appendingPathComponent("launch/netns-rsh.sh").path,
                             "--probe-every", "1", "--delay", "2", "--max-restarts", "3",
                             "--mca", "pml", "ob1", "--mca", "btl", "tcp,self",
                             "--mca", "btl_tcp_if_include", hosts.subnet, "--mca", "oob_tcp_if_include", hosts.subnet, "--"] + trainer
        process.environment = environment
        process.currentDirectoryURL = root
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// What the supervisor (and mpirun) printed to stderr so far.
    func log() -> String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }

    /// What the ranks printed to stdout so far.
    func output() -> String { (try? String(contentsOf: stdout, encoding: .utf8)) ?? "" }

    /// Polls `condition` until it holds (true) or `timeout` passes or the supervisor exits (false).
    func waitFor(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            if !process.isRunning { return condition() }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// The supervisor's exit status; throws when it runs past `timeout`.
    func wait(timeout: TimeInterval) throws -> Int32 {
        guard waitFor(timeout: timeout, { !process.isRunning }) else {
            process.terminate()
            throw SetupFailure("launch/supervise.sh still running after \(Int(timeout)) s:\n\(log())")
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
