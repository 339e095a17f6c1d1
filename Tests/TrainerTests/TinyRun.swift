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
}
