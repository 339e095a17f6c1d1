import Foundation

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

    enum CodingKeys: String, CodingKey {
        case state, step, maxSteps = "max_steps", tokens, loss, valLoss = "val_loss", tokensPerSecond = "tokens_per_s"
        case etaSeconds = "eta_s", lastStepSeconds = "last_step_s", lastCheckpoint = "last_checkpoint", heartbeat, started
        case worldSize = "world_size", pid, host
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
