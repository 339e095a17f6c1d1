import Foundation
import Testing
import TestSupport

/// `trainer evaluate` end to end on a gpt-tiny checkpoint (block 128), under mpirun at 1, 2 and 3 ranks.
@Suite(.serialized) struct EvaluateCommandTests {
    static let run: URL = {
        let dir = try! TestDirectory.make("evaluate")
        let result = try! TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, steps: 20) + ["--set", "model.block_size=128"], timeout: 600)
        precondition(result.status == 0, "training failed: \(result.stderr)")
        return dir.appendingPathComponent("run")
    }()

    static let task = "data/tasks/shakespeare_speaker.jsonl"

    /// lm-eval's results object and the samples file of one evaluation.
    static func evaluate(ranks: Int?, shots: Int) throws -> (results: NSDictionary, samples: String) {
        let samples = try TestDirectory.make("evaluate-samples").appendingPathComponent("s.jsonl")
        let result = try TrainerProcess.run(["evaluate", run.path, task, "--shots", "\(shots)", "--json", "--log-samples", samples.path],
                                            ranks: ranks, timeout: 300)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        return (object["results"] as! NSDictionary, try String(contentsOf: samples, encoding: .utf8))
    }

    @Test func figuresAndSamplesAreTheSameAtAnyRankCount() throws {
        for shots in [0, 3] {
            let one = try Self.evaluate(ranks: nil, shots: shots)
            let entry = one.results["shakespeare_speaker"] as! [String: Any]
            let acc = entry["acc,none"] as! Double
            #expect(acc >= 0 && acc <= 1 && entry["acc_norm_stderr,none"] is Double)
            #expect(one.samples.split(separator: "\n").count == 300)
            for ranks in [2, 3] {
                let many = try Self.evaluate(ranks: ranks, shots: shots)
                #expect(many.results == one.results, "\(shots)-shot at -n \(ranks)")
                #expect(many.samples == one.samples, "\(shots)-shot samples at -n \(ranks)")
            }
        }
    }

    @Test func badTaskFilesStopEveryRankWithStatusTwo() throws {
        let dir = try TestDirectory.make("evaluate-bad")
        let bad = dir.appendingPathComponent("bad.jsonl")
        try Data((#"{"context": "a", "choices": ["b", "c"], "label": 0}"# + "\n" + #"{"context": "a", "choices": ["b"], "label": 3}"#).utf8).write(to: bad)
        let empty = dir.appendingPathComponent("empty.jsonl")
        try Data().write(to: empty)
        for ranks in [nil, 2] {
            let result = try TrainerProcess.run(["evaluate", Self.run.path, bad.path], ranks: ranks, timeout: 120)
            #expect(result.status == 2)
            #expect(result.stderr.contains("\(bad.path):2: label 3 is out of range for 1 choices"), "stderr: \(result.stderr)")
            #expect(result.stdout.isEmpty)
            let short = try TrainerProcess.run(["evaluate", Self.run.path, bad.path, "--shots", "2"], ranks: ranks, timeout: 120)
            #expect(short.status == 2)
            let none = try TrainerProcess.run(["evaluate", Self.run.path, empty.path], ranks: ranks, timeout: 120)
            #expect(none.status == 2 && none.stderr.contains("holds no items"), "stderr: \(none.stderr)")
        }
    }
}
