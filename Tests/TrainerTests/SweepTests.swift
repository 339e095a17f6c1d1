import Foundation
import Testing
import TestSupport

/// `trainer sweep` end to end on configs/sweep-tiny.json at -n 2: every cell recorded, the fit and
/// pictures written; a finished sweep skips every cell, rebuilds a lost sweep.jsonl from the final
/// checkpoints and refuses changed settings; a sweep killed in the middle of a cell and started
/// again ends with the same weights and losses as one that ran straight through; a bad sweep file
/// is one line and exit 2 before MPI starts.
@Suite(.serialized) struct SweepTests {
    /// configs/sweep-tiny.json with its directory and prepared data moved into `dir`/`name`,
    /// written there; returns the new sweep file's path.
    static func tinySweep(in dir: URL, name: String) throws -> String {
        let original = try Data(contentsOf: TrainerProcess.root.appendingPathComponent("configs/sweep-tiny.json"))
        var spec = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
        spec["dir"] = dir.appendingPathComponent(name).path
        spec["set"] = (spec["set"] as? [String] ?? []) + ["data.dir=\(dir.path)/data"]
        let path = dir.appendingPathComponent("\(name).json")
        try JSONSerialization.data(withJSONObject: spec).write(to: path)
        return path.path
    }

    /// The lines of a sweep's sweep.jsonl as JSON objects.
    static func records(_ sweep: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: sweep.appendingPathComponent("sweep.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    /// The final checkpoint's model.safetensors of every cell directory, by cell name.
    static func finalWeights(_ sweep: URL, _ records: [[String: Any]]) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for r in records {
            let cell = try #require(r["cell"] as? String), steps = try #require(r["steps"] as? Int)
            let step = sweep.appendingPathComponent(cell).appendingPathComponent(String(format: "step-%07d", steps))
            out[cell] = try Data(contentsOf: step.appendingPathComponent("model.safetensors"))
        }
        return out
    }

    static func sweep(_ file: String, environment: [String: String] = [:]) throws -> TrainerProcess.Result {
        try TrainerProcess.run(["sweep", file], ranks: 2, timeout: 600, environment: environment)
    }

    @Test func tinySweepRecordsEveryCellSkipsFinishedOnesAndResumesExactly() throws {
        let dir = try TestDirectory.make("sweep")
        defer { try? FileManager.default.removeItem(at: dir) }
        let straight = dir.appendingPathComponent("straight")
        let first = try Self.sweep(try Self.tinySweep(in: dir, name: "straight"))
        try #require(first.status == 0, "sweep failed: \(first.stderr)")
        let records = try Self.records(straight)
        #expect(records.count == 7, "6 grid cells and the held-out cell: \(records.count) records")
        #expect(records.filter { $0["held_out"] as? Bool == true }.count == 1)
        for r in records {
            let loss = try #require(r["loss"] as? Double), bpb = try #require(r["bits_per_byte"] as? Double)
            #expect(loss > 0 && loss < 7 && bpb > 0, "\(r)")
            #expect((r["wall_s"] as? Double ?? 0) > 0 && (r["tokens_per_s"] as? Double ?? 0) > 0, "\(r)")
        }
        let fit = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: straight.appendingPathComponent("fit.json"))) as? [String: Any])
        let prediction = try #require(fit["prediction"] as? [String: Any])
        #expect(prediction["measured_loss"] as? Double == records.last?["loss"] as? Double)
        for svg in ["loss-vs-compute.svg", "loss-vs-size.svg", "residuals.svg"] {
            #expect(FileManager.default.fileExists(atPath: straight.appendingPathComponent(svg).path), "\(svg) missing")
        }
        // The prediction is made (and printed) before the held-out cell trains.
        let out = first.stdout
        let predicted = try #require(out.range(of: "predicted loss"), "no prediction in: \(out)")
        let heldOutTraining = try #require(out.range(of: "heldout-L2-W48-H3-D20480: N"), "held-out cell never started: \(out)")
        #expect(predicted.lowerBound < heldOutTraining.lowerBound)

        // Running the finished sweep again trains nothing and changes nothing.
        let jsonl = try Data(contentsOf: straight.appendingPathComponent("sweep.jsonl"))
        let fitBytes = try Data(contentsOf: straight.appendingPathComponent("fit.json"))
        let again = try Self.sweep(try Self.tinySweep(in: dir, name: "straight"))
        try #require(again.status == 0, "rerun failed: \(again.stderr)")
        #expect(again.stdout.components(separatedBy: "recorded earlier, skipped").count - 1 == 7, "\(again.stdout)")
        #expect(!again.stdout.contains("tokens/step"), "a finished sweep trained again: \(again.stdout)")
        #expect(try Data(contentsOf: straight.appendingPathComponent("sweep.jsonl")) == jsonl)
        #expect(try Data(contentsOf: straight.appendingPathComponent("fit.json")) == fitBytes)

        // Without sweep.jsonl, the records are rebuilt from the cells' final checkpoints, identically.
        try FileManager.default.removeItem(at: straight.appendingPathComponent("sweep.jsonl"))
        let rebuilt = try Self.sweep(try Self.tinySweep(in: dir, name: "straight"))
        try #require(rebuilt.status == 0, "rebuild failed: \(rebuilt.stderr)")
        #expect(rebuilt.stdout.components(separatedBy: "evaluating its final checkpoint").count - 1 == 7, "\(rebuilt.stdout)")
        #expect(!rebuilt.stdout.contains("tokens/step"), "a finished sweep trained again: \(rebuilt.stdout)")
        #expect(try Data(contentsOf: straight.appendingPathComponent("sweep.jsonl")) == jsonl)

        // A finished cell trained with other settings than the sweep now gives is refused, not mixed in.
        let changed = try TrainerProcess.run(["sweep", try Self.tinySweep(in: dir, name: "straight"), "--set", "training.lr=1e-3"], ranks: 2, timeout: 120)
        #expect(changed.status != 0)
        #expect(changed.stderr.contains("other settings") && changed.stderr.contains("training.lr"), "\(changed.stderr)")

        try checkInterruptedSweepMatches(straight: straight, records: records, dir: dir)
    }

    // Rank 1 dies at step 15 of the first 20-step cell (checkpoints every 10 steps); the same
    // command then skips the finished cells, resumes that one from step 10 and finishes the sweep.
    private func checkInterruptedSweepMatches(straight: URL, records: [[String: Any]], dir: URL) throws {
        let file = try Self.tinySweep(in: dir, name: "interrupted")
        let crashed = try Self.sweep(file, environment: ["TRAINER_FAULT": "crash:rank=1:step=15:once=\(dir.path)/fired"])
        #expect(crashed.status != 0, "the crash fault did not fire: \(crashed.stdout)")
        let resumed = try Self.sweep(file)
        try #require(resumed.status == 0, "resumed sweep failed: \(resumed.stderr)")
        #expect(resumed.stdout.contains("resuming from step 10"), "\(resumed.stdout)")
        #expect(resumed.stdout.contains("recorded earlier, skipped"), "\(resumed.stdout)")
        let interrupted = dir.appendingPathComponent("interrupted")
        let after = try Self.records(interrupted)
        #expect(after.map { $0["cell"] as? String } == records.map { $0["cell"] as? String })
        for (x, y) in zip(after, records) {
            #expect(x["loss"] as? Double == y["loss"] as? Double && x["bits_per_byte"] as? Double == y["bits_per_byte"] as? Double,
                    "\(x["cell"] ?? "?"): \(x["loss"] ?? "?") after the interruption, \(y["loss"] ?? "?") straight through")
        }
        #expect(try Self.finalWeights(interrupted, after) == Self.finalWeights(straight, records), "final weights differ")
    }

    /// (name, edit of sweep-tiny.json, words the one error line must contain)
    static let badFiles: [(String, @Sendable (inout [String: Any]) -> Void, [String])] = [
        ("unknown key", { $0["shapez"] = [String]() }, ["unknown key", "shapez"]),
        ("empty grid", { $0["tokens"] = [Double]() }, ["`tokens` is empty"]),
        ("width not divisible by heads", { $0["shapes"] = [["depth": 1, "width": 30, "heads": 4], ["depth": 1, "width": 32]] }, ["shapes[0]", "not divisible"]),
        ("override of a cell field", { $0["set"] = ["model.n_layer=3"] }, ["model.n_layer"]),
    ]

    @Test(arguments: [Int?.none, 2], 0..<badFiles.count)
    func badSweepFileFailsWithOneLineBeforeMPI(ranks: Int?, index: Int) throws {
        let (name, edit, words) = Self.badFiles[index]
        let dir = try TestDirectory.make("sweep-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.tinySweep(in: dir, name: "bad")
        var spec = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        edit(&spec)
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: path))
        let result = try TrainerProcess.run(["sweep", path], ranks: ranks, timeout: 60)
        Self.expectOneLineBeforeMPI(result, name: name, words: words, ranks: ranks)
    }

    // The batch of 512 tokens cannot split over 3 ranks × 4 sequences × 32 tokens: refused before MPI.
    @Test func batchThatDoesNotSplitOverTheRanksFailsBeforeMPI() throws {
        let dir = try TestDirectory.make("sweep-ranks")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try TrainerProcess.run(["sweep", try Self.tinySweep(in: dir, name: "ranks")], ranks: 3, timeout: 60)
        Self.expectOneLineBeforeMPI(result, name: "3 ranks", words: ["training.batch_tokens", "ranks"], ranks: 3)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("ranks").path), "a cell started")
    }

    static func expectOneLineBeforeMPI(_ result: TrainerProcess.Result, name: String, words: [String], ranks: Int?) {
        #expect(!result.timedOut)
        #expect(ranks == nil ? result.status == 2 : result.status != 0, "\(name): status \(result.status)")
        // Errors after MPI starts are printed as "[rank N] error: …"; a refusal before it as "error: …".
        let errors = result.stderr.split(separator: "\n").filter { $0.contains("error") }
        #expect(errors.count == 1 && errors.first?.hasPrefix("error: ") == true, "\(name): \(result.stderr)")
        for word in words { #expect(result.stderr.contains(word), "\(name): '\(word)' missing from: \(result.stderr)") }
    }
}
