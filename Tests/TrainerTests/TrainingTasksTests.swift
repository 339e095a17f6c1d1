import Foundation
import Testing
import TestSupport

/// `eval.tasks` (issue 25, item 3): task files scored at every evaluation of a training run, with
/// the figures in metrics.jsonl, status.json and TensorBoard, equal to `trainer evaluate` on the
/// checkpoint saved at the same step; a bad task file stops the run before step 0.
@Suite(.serialized) struct TrainingTasksTests {
    nonisolated(unsafe) static let tasks = [["file": "data/tasks/shakespeare_play.jsonl"], ["file": "data/tasks/shakespeare_speaker.jsonl", "shots": 2]] as [[String: Any]]

    /// gpt-tiny at block 128 (every bundled answer fits) with `tasks`, written into `dir`.
    static func config(_ dir: URL, tasks: [[String: Any]]) throws -> String {
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "configs/gpt-tiny.json"))) as! [String: Any]
        var model = config["model"] as! [String: Any], eval = config["eval"] as! [String: Any], training = config["training"] as! [String: Any]
        model["block_size"] = 128
        training["batch_tokens"] = 2048
        eval["tasks"] = tasks
        config["model"] = model
        config["eval"] = eval
        config["training"] = training
        let url = dir.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: config).write(to: url)
        return url.path
    }

    @Test func figuresAreLoggedAndEqualTrainerEvaluate() throws {
        let dir = try TestDirectory.make("train-tasks")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try TrainerProcess.run([try Self.config(dir, tasks: Self.tasks)] + TinyRun.settings(dir, steps: 20), timeout: 600)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("| shakespeare_play acc "), "stdout: \(result.stdout)")
        let run = dir.appendingPathComponent("run")
        let lines = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        let evaluations = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.filter { $0["tasks"] != nil }
        #expect(evaluations.map { $0["step"] as? Int } == [9, 19])
        let logged = try #require(evaluations.last?["tasks"] as? [String: [String: Double]])

        // The same weights scored by `trainer evaluate` give the same figures, at 1 and 2 ranks.
        for (name, shots, file) in [("shakespeare_play", 0, "data/tasks/shakespeare_play.jsonl"), ("shakespeare_speaker_2shot", 2, "data/tasks/shakespeare_speaker.jsonl")] {
            for ranks in [nil, 2] as [Int?] {
                let scored = try TrainerProcess.run(["evaluate", run.appendingPathComponent("step-0000020").path, file, "--shots", "\(shots)", "--json"], ranks: ranks, timeout: 300)
                #expect(scored.status == 0, "stderr: \(scored.stderr)")
                let object = try JSONSerialization.jsonObject(with: Data(scored.stdout.utf8)) as! [String: Any]
                let figures = (object["results"] as! [String: Any]).values.first as! [String: Any]
                #expect(logged[name]?["acc"] == figures["acc,none"] as? Double, "\(name) acc")
                #expect(logged[name]?["acc_norm"] == figures["acc_norm,none"] as? Double, "\(name) acc_norm")
            }
        }
        let status = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("status.json"))) as! [String: Any]
        #expect(status["tasks"] as? [String: [String: Double]] == logged)
        let events = try FileManager.default.contentsOfDirectory(atPath: run.path).filter { $0.hasPrefix("events.out.tfevents") }
        let eventBytes = try Data(contentsOf: run.appendingPathComponent(try #require(events.first)))
        #expect(eventBytes.range(of: Data("task/shakespeare_play/acc".utf8)) != nil, "TensorBoard has no task scalar")
    }

    @Test func badTaskFileStopsEveryRankBeforeTraining() throws {
        let dir = try TestDirectory.make("train-tasks-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.jsonl")
        try Data((#"{"context": "a", "choices": ["b"], "label": 3}"# + "\n").utf8).write(to: bad)
        let config = try Self.config(dir, tasks: [["file": bad.path]])
        for ranks in [nil, 2] as [Int?] {
            let result = try TrainerProcess.run([config] + TinyRun.settings(dir, steps: 20), ranks: ranks, timeout: 300)
            #expect(result.status != 0)
            #expect(result.stderr.contains("\(bad.path):1: label 3 is out of range"), "stderr: \(result.stderr)")
            #expect(!result.stdout.contains("step      0/"), "training started: \(result.stdout)")
        }
        let unknown = try TrainerProcess.run([try Self.config(dir, tasks: [["file": bad.path, "shot": 2]])] + TinyRun.settings(dir), timeout: 60)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown key `shot`"), "stderr: \(unknown.stderr)")
    }
}
