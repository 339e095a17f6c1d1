import Foundation
import Testing
import TestSupport

/// `trainer finetune`, `trainer classify` and `trainer sample --instruction` end to end, from a
/// gpt-tiny pre-trained for 40 steps (`PretrainedTiny`).
@Suite(.serialized) struct FinetuneTests {
    /// The shared pre-trained gpt-tiny.
    static var pretrained: URL { PretrainedTiny.run }

    static func finetune(_ config: String, _ dir: URL, run: String = "ft", ranks: Int? = nil, _ extra: [String] = []) throws -> TrainerProcess.Result {
        try TrainerProcess.run(["finetune", config, "--set", "finetune.init_from=\(pretrained.path)",
                                "--set", "checkpoint.dir=\(dir.path)/\(run)"] + extra, ranks: ranks, timeout: 600)
    }

    static func evaluations(_ runDirectory: URL) throws -> [(step: Int, loss: Double, accuracy: Double?)] {
        let text = try String(contentsOf: runDirectory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let o = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            guard let loss = o["val_loss"] as? Double else { return nil }
            return (o["step"] as! Int, loss, o["val_accuracy"] as? Double)
        }
    }

    @Test func classificationBeatsTheMajorityClass() throws {
        let dir = try TestDirectory.make("ft-classify")
        let result = try Self.finetune("configs/finetune-classify-tiny.json", dir, ranks: 2)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let evals = try Self.evaluations(dir.appendingPathComponent("ft"))
        let final = try #require(evals.last?.accuracy)
        // The verse/prose validation set is balanced: the majority class scores 0.5.
        #expect(final >= 0.7, "validation accuracy \(final)")
        #expect(result.stdout.contains("confusion"), "stdout: \(result.stdout)")
        let classified = try TrainerProcess.run(["classify", dir.appendingPathComponent("ft").path, "--text", "To be, or not to be", "--top", "2"], timeout: 60)
        #expect(classified.status == 0, "stderr: \(classified.stderr)")
        let lines = classified.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let probabilities = lines.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        #expect(probabilities.count == 2 && abs(probabilities.reduce(0, +) - 1) < 1e-3 && probabilities[0] >= probabilities[1])
        #expect(lines.allSatisfy { $0.hasPrefix("prose ") || $0.hasPrefix("verse ") })
    }

    @Test func instructionTuningLowersHeldOutResponseLoss() throws {
        let dir = try TestDirectory.make("ft-instruct")
        let result = try Self.finetune("configs/finetune-instruct-tiny.json", dir)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let evals = try Self.evaluations(dir.appendingPathComponent("ft"))
        let before = try #require(evals.first { $0.step == -1 }).loss, after = try #require(evals.last).loss
        #expect(after < before - 0.2, "held-out response loss \(before) → \(after)")
        let sample = try TrainerProcess.run(["sample", dir.appendingPathComponent("ft").path, "--instruction", "Who speaks this line?",
                                             "--input", "Fair is foul", "--max-tokens", "5", "--temperature", "0"], timeout: 60)
        #expect(sample.status == 0, "stderr: \(sample.stderr)")
        #expect(sample.stdout.hasPrefix("### Instruction:\nWho speaks this line?\n\n### Input:\nFair is foul\n\n### Response:\n"))
    }

    @Test func oneAndTwoRanksAndResumeGiveTheSameRun() throws {
        let dir = try TestDirectory.make("ft-ranks")
        let steps = ["--set", "training.max_steps=20", "--set", "eval.every=10"]
        #expect(try Self.finetune("configs/finetune-classify-tiny.json", dir, run: "one", steps).status == 0)
        #expect(try Self.finetune("configs/finetune-classify-tiny.json", dir, run: "two", ranks: 2, steps).status == 0)
        #expect(try Self.finetune("configs/finetune-classify-tiny.json", dir, run: "split", ranks: 2, steps + ["--until-step", "10"]).status == 0)
        let resumed = try Self.finetune("configs/finetune-classify-tiny.json", dir, run: "split", ranks: 2, steps + ["--resume"])
        #expect(resumed.status == 0 && resumed.stdout.contains("resumed at step 10"), "\(resumed.stderr)")
        let one = try RunMetrics(runDirectory: dir.appendingPathComponent("one")).losses
        let two = try RunMetrics(runDirectory: dir.appendingPathComponent("two")).losses
        #expect(one.count == 20)
        for (step, loss) in one { #expect(abs(loss - (two[step] ?? .nan)) <= 1e-5 * abs(loss), "step \(step): \(loss) vs \(two[step] ?? .nan)") }
        for file in ["model.safetensors", "classifier_optimizer.safetensors"] {
            #expect(try TinyRun.bytes(dir, "two", step: 20, file) == TinyRun.bytes(dir, "split", step: 20, file), "\(file) differs after resume")
        }
    }

    /// One clear line naming the file and line, a non-zero exit, and no hang under mpirun -n 2.
    func expectError(_ config: String, _ extra: [String], _ expected: String, pretrained: URL? = nil) throws {
        let dir = try TestDirectory.make("ft-bad")
        let result = try TrainerProcess.run(["finetune", config, "--set", "finetune.init_from=\((pretrained ?? Self.pretrained).path)",
                                             "--set", "checkpoint.dir=\(dir.path)/ft"] + extra, ranks: 2, timeout: 120)
        #expect(!result.timedOut)
        #expect(result.status != 0)
        #expect(result.stderr.contains(expected), "stderr: \(result.stderr)")
        // mpirun adds its own lines about the exit status; ours is one line.
        #expect(result.stderr.split(separator: "\n").filter { $0.contains("error") }.count == 1, "stderr: \(result.stderr)")
    }

    static func file(_ name: String, _ text: String) throws -> String {
        let url = try TestDirectory.make("ft-data").appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func badInputsAreOneClearMessage() throws {
        let good = #"{"instruction": "Say hi", "output": "hi"}"#
        let missing = try Self.file("missing.jsonl", "\(good)\n\n{\"instruction\": \"Say hi\"}\n")
        try expectError("configs/finetune-instruct-tiny.json", ["--set", "finetune.train_file=\(missing)"], "\(missing):3: missing field \"output\"")
        let empty = try Self.file("empty.jsonl", "")
        try expectError("configs/finetune-instruct-tiny.json", ["--set", "finetune.val_file=\(empty)"], "\(empty): the file is empty")
        let unknown = try Self.file("unknown.jsonl", "{\"text\": \"a\", \"label\": \"verse\"}\n{\"text\": \"b\", \"label\": \"farce\"}\n")
        try expectError("configs/finetune-classify-tiny.json", ["--set", "finetune.val_file=\(unknown)"],
                        "\(unknown):2: label \"farce\" is not one of the training labels (prose, verse)")
        let notJSON = try Self.file("bad.jsonl", "{\"text\": \"a\", \"label\": \"verse\"}\n{oops\n")
        try expectError("configs/finetune-classify-tiny.json", ["--set", "finetune.val_file=\(notJSON)"], "\(notJSON):2: not valid JSON")
    }

    @Test func checkpointWithAnotherTokenizerIsRefused() throws {
        // A copy of the checkpoint whose merges.txt lost a merge (its SHA-256 in state.json updated,
        // so the copy is intact as files go but no longer the model's tokenizer).
        let copy = try TestDirectory.make("ft-tok").appendingPathComponent("step-0000040")
        try FileManager.default.copyItem(at: Self.pretrained.appendingPathComponent("step-0000040"), to: copy)
        let merges = copy.appendingPathComponent("merges.txt")
        var lines = try String(contentsOf: merges, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        lines.remove(at: lines.count - 2)
        let text = Data(lines.joined(separator: "\n").utf8)
        try text.write(to: merges)
        let statePath = copy.appendingPathComponent("state.json")
        var state = try JSONSerialization.jsonObject(with: Data(contentsOf: statePath)) as! [String: Any]
        var files = state["files"] as! [String: String]
        let sha = Process(), pipe = Pipe()
        sha.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        sha.arguments = [merges.path]
        sha.standardOutput = pipe
        try sha.run()
        sha.waitUntilExit()
        files["merges.txt"] = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ").first.map(String.init)
        state["files"] = files
        try JSONSerialization.data(withJSONObject: state, options: [.sortedKeys]).write(to: statePath)
        try expectError("configs/finetune-instruct-tiny.json", [], "do not match the tokenizer the model was trained with", pretrained: copy)
    }
}
