import Foundation
import Testing

/// Runs the built `trainer` executable (directly or under mpirun) from the repository root.
struct TrainerProcess {
    /// What a finished run printed and returned.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool
    }

    /// The repository root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `trainer` binary built beside the test bundle (release under launch/test.sh).
    static let executable: URL = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [beside, beside.deletingLastPathComponent()].map { $0.appendingPathComponent("trainer") }
            + ["release", "debug"].map { root.appendingPathComponent(".build/\($0)/trainer") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    /// Runs `trainer arguments…`, under `mpirun -n ranks` when ranks is given.
    static func run(_ arguments: [String], ranks: Int? = nil, timeout: TimeInterval = 300, environment extra: [String: String] = [:]) throws -> Result {
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        for (k, v) in extra { env[k] = v }
        guard let ranks else { return try execute([executable.path] + arguments, environment: env, timeout: timeout) }
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        let mpirun = ["/usr/bin/env", "mpirun", "-n", "\(ranks)", "--oversubscribe", "--bind-to", "none", "--mca", "plm_rsh_agent", "false",
                      "-x", "OPENBLAS_NUM_THREADS"] + extra.keys.sorted().flatMap { ["-x", $0] }
        return try execute(mpirun + [executable.path] + arguments, environment: env, timeout: timeout)
    }

    /// Runs `command` (an executable path and its arguments) from the repository root with
    /// `environment`, killing it after `timeout` seconds.
    static func execute(_ command: [String], environment: [String: String], timeout: TimeInterval) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = environment
        process.currentDirectoryURL = root
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        // Drain the pipes while the process runs so a chatty child never blocks on a full pipe.
        let outData = DrainedPipe(out), errData = DrainedPipe(err)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                process.terminate()
                Thread.sleep(forTimeInterval: 2)
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.waitUntilExit()
        let result = Result(status: process.terminationStatus, stdout: outData.text(), stderr: errData.text(), timedOut: timedOut)
        // No path that any test drives, error paths included, may show a user Foundation's own text.
        for marker in rawErrorMarkers where result.stdout.contains(marker) || result.stderr.contains(marker) {
            Issue.record("trainer printed raw Foundation error text (\(marker)) for \(command.joined(separator: " ")):\n\(result.stderr)")
        }
        return result
    }

    /// What Foundation prints for an error nobody described: NSError domains and "(X error 1.)".
    static let rawErrorMarkers = ["NSCocoaErrorDomain", "The operation could not be completed", "Error error "]
}

/// Collects everything written to a pipe on a background thread.
final class DrainedPipe: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.lock(); data.append(chunk); lock.unlock()
            }
            done.signal()
        }
    }

    func text() -> String {
        done.wait()
        lock.lock(); defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
