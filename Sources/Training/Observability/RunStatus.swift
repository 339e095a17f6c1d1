import Foundation
import RunConfig

/// `<checkpoint.dir>/status.json`: what a job is doing, kept current by rank 0 so that the run can
/// be watched from outside (`trainer status RUN_DIR`).
public struct RunStatus: Codable, Sendable, Equatable {
    /// "running", "finished" (max_steps reached), "stopped" (signal or --until-step) or "failed".
    public var state: String
    public var step: Int
    public var maxSteps: Int
    public var tokens: Int
    public var loss: Double?
    public var valLoss: Double?
    public var tokensPerSecond: Double?
    public var etaSeconds: Double?
    public var lastStepSeconds: Double?
    public var lastCheckpoint: String?
    /// Unix time of the last update.
    public var heartbeat: Double
    public var started: Double
    public var worldSize: Int
    public var pid: Int32
    public var host: String
    /// The error line that ended a "failed" run.
    public var error: String?
    /// The last evaluation's `eval.tasks` figures: task name → metric → value.
    public var tasks: [String: [String: Double]]?

    enum CodingKeys: String, CodingKey {
        case state, step, maxSteps = "max_steps", tokens, loss, valLoss = "val_loss", tokensPerSecond = "tokens_per_s"
        case etaSeconds = "eta_s", lastStepSeconds = "last_step_s", lastCheckpoint = "last_checkpoint", heartbeat, started
        case worldSize = "world_size", pid, host, error, tasks
    }

    /// The file name inside the run directory.
    public static let fileName = "status.json"

    /// Reads a run directory's status, naming the file when it is missing or damaged.
    public static func read(runDirectory: URL) throws -> RunStatus {
        let url = runDirectory.appendingPathComponent(fileName)
        guard let data = try? Data(contentsOf: url) else {
            throw TrainingError("\(url.path): no status file; pass a run directory (checkpoint.dir) of a job that has started")
        }
        do { return try JSONDecoder().decode(RunStatus.self, from: data) } catch {
            throw TrainingError("\(url.path): not a trainer status file (\(error))")
        }
    }

    /// Writes atomically (temporary file + rename), so readers never see half a file.
    public func write(runDirectory: URL) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard let data = try? encoder.encode(self) else { return }
        try? data.write(to: runDirectory.appendingPathComponent(Self.fileName), options: .atomic)
    }

    /// Records an error exit of this process's job: state "failed" and `message`, keeping the
    /// progress the job last wrote. Only a status this process wrote, or none in an existing run
    /// directory, is replaced: the final status of an earlier job, or that of another job still
    /// running, is left as it is.
    public static func recordFailure(runDirectory: URL, message: String, worldSize: Int, now: Date = Date()) {
        let host = ProcessInfo.processInfo.hostName, pid = getpid()
        var status: RunStatus
        if let previous = try? read(runDirectory: runDirectory) {
            // Another job's status stays while that job may still run (a second run refused by the
            // checkpoint lock must not overwrite it); an ended or dead one's is this failure's now,
            // or a resume that fails while loading would leave the old "finished" in place.
            if previous.pid != pid || previous.host != host {
                let ended = previous.state != "running" || previous.liveness(now: now, localHost: host).hasPrefix("dead")
                guard ended else { return }
            }
            status = previous
            status.pid = pid
            status.host = host
            status.worldSize = worldSize
        } else {
            guard FileManager.default.fileExists(atPath: runDirectory.appendingPathComponent(fileName).path) == false,
                  FileManager.default.fileExists(atPath: runDirectory.path) else { return }
            status = RunStatus(state: "failed", step: 0, maxSteps: 0, tokens: 0, heartbeat: 0, started: now.timeIntervalSince1970,
                               worldSize: worldSize, pid: pid, host: host)
        }
        status.state = "failed"
        status.error = message
        // The checkpoint a --resume would start from, though this job saved none.
        if status.lastCheckpoint == nil { status.lastCheckpoint = latestCheckpoint(in: runDirectory) }
        status.etaSeconds = nil
        status.heartbeat = now.timeIntervalSince1970
        status.write(runDirectory: runDirectory)
    }

    /// The checkpoint the directory's `latest` names, when that checkpoint exists.
    static func latestCheckpoint(in runDirectory: URL) -> String? {
        guard let text = try? String(contentsOf: runDirectory.appendingPathComponent("latest"), encoding: .utf8) else { return nil }
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, !name.contains("/"), FileManager.default.fileExists(atPath: runDirectory.appendingPathComponent(name).path) else { return nil }
        return name
    }

    /// How the job looks from outside: finished, stopped, failed, alive, stalled or dead.
    public func liveness(now: Date = Date(), localHost: String = ProcessInfo.processInfo.hostName) -> String {
        guard state == "running" else { return state }
        let age = now.timeIntervalSince1970 - heartbeat
        if host == localHost && kill(pid, 0) != 0 && errno == ESRCH {
            return "dead (process \(pid) is gone; resume with --resume)"
        }
        let patience = max(60, 10 * (lastStepSeconds ?? 0))
        return age <= patience ? "alive" : "stalled (no heartbeat for \(Int(age)) s)"
    }
}
