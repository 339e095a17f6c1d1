import Crypto
import Foundation
import Testing

/// gpt-tiny runs in temporary directories, for the end-to-end tests.
enum TinyRun {
    /// `--set` arguments that send a run's data and checkpoints into `dir`.
    static func settings(_ dir: URL, run: String = "run", steps: Int? = nil) -> [String] {
        var args = ["--set", "checkpoint.dir=\(dir.path)/\(run)", "--set", "data.dir=\(dir.path)/data"]
        if let steps { args += ["--set", "training.max_steps=\(steps)"] }
        return args
    }

    /// Trains gpt-tiny with `arguments` added, expecting success; returns the result.
    @discardableResult
    static func train(_ dir: URL, run: String = "run", steps: Int? = nil, ranks: Int? = nil, _ arguments: [String] = []) throws -> TrainerProcess.Result {
        let result = try TrainerProcess.run(["configs/gpt-tiny.json"] + settings(dir, run: run, steps: steps) + arguments, ranks: ranks, timeout: 600)
        #expect(result.status == 0, "trainer failed (\(ranks.map { "-n \($0)" } ?? "one process")): \(result.stderr)")
        return result
    }

    /// The bytes of a file inside a checkpoint directory.
    static func bytes(_ dir: URL, _ run: String, step: Int, _ file: String) throws -> Data {
        try Data(contentsOf: dir.appendingPathComponent(run).appendingPathComponent(String(format: "step-%07d", step)).appendingPathComponent(file))
    }

    /// Writes `bytes` as the checkpoint file `name` of `step` and records their SHA-256 in its
    /// state.json, so that the checkpoint still validates and a reader must judge the bytes themselves.
    static func replace(_ name: String, in step: URL, with bytes: Data) throws {
        try bytes.write(to: step.appendingPathComponent(name))
        let stateURL = step.appendingPathComponent("state.json")
        var state = try JSONSerialization.jsonObject(with: Data(contentsOf: stateURL)) as! [String: Any]
        var files = state["files"] as! [String: String]
        files[name] = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        state["files"] = files
        try JSONSerialization.data(withJSONObject: state, options: [.sortedKeys]).write(to: stateURL)
    }
}
