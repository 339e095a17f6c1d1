import ArgumentParser
import Foundation
import RunConfig
import Training

extension TrainerCommand {
    /// Shows a run's progress and whether its job is alive, stalled, finished or failed (with its error).
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a run's progress from RUN_DIR/status.json and whether the job is alive, stalled, finished or failed.")

        @Argument(help: "The run directory (checkpoint.dir).", completion: .directory)
        var runDirectory: String

        @Flag(help: "Print status.json with the liveness verdict added, as one JSON object.")
        var json = false

        func run() throws {
            let status: RunStatus
            do { status = try RunStatus.read(runDirectory: URL(fileURLWithPath: runDirectory)) } catch {
                Log.error("\(error)")
                throw ExitCode(1)
            }
            let verdict = status.liveness()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                var object = try JSONSerialization.jsonObject(with: encoder.encode(status)) as? [String: Any] ?? [:]
                object["liveness"] = verdict
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self))
                return
            }
            let age = Date().timeIntervalSince1970 - status.heartbeat
            print("\(runDirectory): \(verdict) | \(status.worldSize) rank\(status.worldSize == 1 ? "" : "s") on \(status.host), pid \(status.pid) | last heartbeat \(MetricsLog.duration(age)) ago")
            var line = "step \(status.step)/\(status.maxSteps) | \(status.tokens) tokens"
            if let loss = status.loss { line += String(format: " | loss %.4f", loss) }
            if let v = status.valLoss { line += String(format: " | val loss %.4f", v) }
            if let t = status.tokensPerSecond { line += String(format: " | %.0f tok/s", t) }
            if status.state == "running", let eta = status.etaSeconds { line += " | ETA " + MetricsLog.duration(eta) }
            print(line)
            print("last checkpoint: \(status.lastCheckpoint ?? "none yet")")
            if status.state == "failed" { print("failed with: \(status.error ?? "no error recorded")") }
        }
    }
}
