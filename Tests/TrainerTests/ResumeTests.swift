import Foundation
import Testing
import TestSupport

/// Stopping and resuming gives the run that was never interrupted.
@Suite(.serialized) struct ResumeTests {
    @Test func resumeAtTheSameRankCountIsBitIdentical() throws {
        let dir = try TestDirectory.make("resume-same")
        try TinyRun.train(dir, run: "whole", steps: 40, ranks: 2)
        try TinyRun.train(dir, run: "split", steps: 40, ranks: 2, ["--until-step", "20"])
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("split/step-0000020/state.json").path))
        let resumed = try TinyRun.train(dir, run: "split", steps: 40, ranks: 2, ["--resume"])
        #expect(resumed.stdout.contains("resumed at step 20"))
        for file in ["model.safetensors", "optimizer.safetensors"] {
            #expect(try TinyRun.bytes(dir, "whole", step: 40, file) == TinyRun.bytes(dir, "split", step: 40, file), "\(file) differs")
        }
        let whole = try RunMetrics(runDirectory: dir.appendingPathComponent("whole"))
        let split = try RunMetrics(runDirectory: dir.appendingPathComponent("split"))
        #expect(whole.steps.count == 40)
        #expect(whole.steps == split.steps)
        #expect(whole.validation == split.validation)
    }

    @Test func resumeAtAnotherRankCountMatchesClosely() throws {
        let dir = try TestDirectory.make("resume-other")
        try TinyRun.train(dir, run: "whole", steps: 40, ranks: 1)
        try TinyRun.train(dir, run: "split", steps: 40, ranks: 2, ["--until-step", "20"])
        try TinyRun.train(dir, run: "split", steps: 40, ranks: 1, ["--resume", "\(dir.path)/split/step-0000020"])
        let whole = try RunMetrics(runDirectory: dir.appendingPathComponent("whole")).losses
        let split = try RunMetrics(runDirectory: dir.appendingPathComponent("split")).losses
        #expect(split.count == 40)
        for (step, loss) in whole {
            #expect(abs(loss - (split[step] ?? .nan)) <= 1e-5 * abs(loss), "step \(step): \(loss) vs \(split[step] ?? .nan)")
        }
    }

    @Test func sigtermFinishesTheStepSavesAndExitsZero() throws {
        let dir = try TestDirectory.make("sigterm")
        let args = ["configs/gpt-tiny.json"] + TinyRun.settings(dir, steps: 100_000) + ["--set", "eval.every=0", "--set", "checkpoint.every=0"]
        // Signal the ranks (children of mpirun) once training is under way.
        let signaller = Thread {
            let metrics = dir.appendingPathComponent("run/metrics.jsonl")
            for _ in 0..<600 {
                Thread.sleep(forTimeInterval: 0.1)
                if let text = try? String(contentsOf: metrics, encoding: .utf8), text.split(separator: "\n").count >= 5 { break }
            }
            let pkill = Process()
            pkill.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
            pkill.arguments = ["-TERM", "-f", "^\(TrainerProcess.executable.path) configs/gpt-tiny.json .*\(dir.lastPathComponent)"]
            try? pkill.run()
            pkill.waitUntilExit()
        }
        signaller.start()
        let result = try TrainerProcess.run(args, ranks: 2, timeout: 120)
        #expect(!result.timedOut)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let latest = try String(contentsOf: dir.appendingPathComponent("run/latest"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("run/\(latest)/state.json"))) as! [String: Any]
        let steps = try RunMetrics(runDirectory: dir.appendingPathComponent("run")).steps.count
        #expect(state["step"] as? Int == steps, "saved step \(state["step"] ?? "?") after \(steps) logged steps")
        #expect(steps >= 5 && steps < 100_000)
    }
}

/// Damaged or mismatched checkpoints are named, skipped or refused; saved work is never lost.
@Suite(.serialized) struct CheckpointFailureTests {
    @Test func corruptedNewestCheckpointFallsBackToThePreviousOne() throws {
        let dir = try TestDirectory.make("corrupt")
        try TinyRun.train(dir, steps: 40, ["--until-step", "20"])
        let model = dir.appendingPathComponent("run/step-0000020/model.safetensors")
        var bytes = try Data(contentsOf: model)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: model)

        let eval = try TrainerProcess.run(["eval", dir.appendingPathComponent("run/step-0000020").path], timeout: 60)
        #expect(eval.status != 0)
        #expect(eval.stderr.contains("step-0000020/model.safetensors"), "stderr: \(eval.stderr)")

        let resumed = try TinyRun.train(dir, steps: 40, ["--resume"])
        #expect(resumed.stderr.contains("model.safetensors"), "expected a warning naming the file: \(resumed.stderr)")
        #expect(resumed.stdout.contains("resumed at step 10"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("run/step-0000040/state.json").path))
    }

    @Test func checkpointOfAnotherModelIsAClearError() throws {
        let dir = try TestDirectory.make("other-model")
        try TinyRun.train(dir, steps: 10)
        let result = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, steps: 10) + ["--set", "model.n_layer=3", "--resume"], timeout: 60)
        #expect(result.status != 0)
        #expect(result.stderr.contains("model.n_layer: 2 in the checkpoint, 3 in this run"), "stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func freshRunRefusesToOverwriteAnExistingRun() throws {
        let dir = try TestDirectory.make("no-overwrite")
        try TinyRun.train(dir, steps: 10)
        let before = try TinyRun.bytes(dir, "run", step: 10, "model.safetensors")
        let result = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, steps: 10), timeout: 60)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--resume"))
        #expect(try TinyRun.bytes(dir, "run", step: 10, "model.safetensors") == before)
    }
}

/// `trainer eval` and `trainer sample` on saved checkpoints.
@Suite(.serialized) struct EvalAndSampleTests {
    @Test func evalReproducesTheLoggedValidationLoss() throws {
        let dir = try TestDirectory.make("eval")
        try TinyRun.train(dir, steps: 20)
        let logged = try RunMetrics(runDirectory: dir.appendingPathComponent("run")).validation[19]!
        for ranks in [nil, 2] as [Int?] {
            let result = try TrainerProcess.run(["eval", dir.appendingPathComponent("run/step-0000020").path, "--json"], ranks: ranks, timeout: 60)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
            let loss = object["loss"] as! Double
            #expect(abs(loss - logged) <= 1e-6 * logged, "eval \(loss) vs logged \(logged)")
            #expect(abs((object["perplexity"] as! Double) - exp(loss)) < 1e-6 * exp(loss))
            let bpb = object["bits_per_byte"] as! Double
            #expect(bpb > 0 && bpb < 8)
        }
        let text = try TrainerProcess.run(["eval", dir.appendingPathComponent("run").path, "--data", "data/shakespeare/sonnets.txt"], timeout: 60)
        #expect(text.status == 0)
        #expect(text.stdout.contains("bits per byte"))
        // A gzip file is scored as the text it holds, not as its compressed bytes (issue 28, item 9).
        let gz = dir.appendingPathComponent("sonnets.txt.gz")
        let zip = Process()
        zip.executableURL = URL(fileURLWithPath: "/bin/sh")
        zip.arguments = ["-c", "gzip -c data/shakespeare/sonnets.txt > '\(gz.path)'"]
        try zip.run()
        zip.waitUntilExit()
        #expect(zip.terminationStatus == 0)
        let zipped = try TrainerProcess.run(["eval", dir.appendingPathComponent("run").path, "--data", gz.path], timeout: 60)
        #expect(zipped.status == 0, "stderr: \(zipped.stderr)")
        func figures(_ out: String) -> Substring { out.split(separator: ":", maxSplits: 1).last ?? "" }
        #expect(figures(zipped.stdout) == figures(text.stdout), "gzip: \(zipped.stdout) plain: \(text.stdout)")
    }

    /// One gpt-tiny checkpoint (20 steps) that the sampling tests share.
    static let sampled: String = {
        let dir = try! TestDirectory.make("sample")
        let result = try! TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, steps: 20), timeout: 600)
        precondition(result.status == 0, "training failed: \(result.stderr)")
        return dir.appendingPathComponent("run/step-0000020").path
    }()

    /// `trainer sample` of the shared checkpoint after "KING:", expecting success.
    static func sample(_ extra: [String], maxTokens: Int = 40) throws -> String {
        let r = try TrainerProcess.run(["sample", sampled, "--prompt", "KING:", "--max-tokens", "\(maxTokens)"] + extra, timeout: 60)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        return r.stdout
    }

    @Test func sampleIsReproducibleForASeed() throws {
        func sample(_ extra: [String]) throws -> String { try Self.sample(extra) }
        let a = try sample(["--seed", "7"]), b = try sample(["--seed", "7"]), c = try sample(["--seed", "8"])
        #expect(a.hasPrefix("KING:"))
        #expect(a.count > "KING:".count + 10)
        #expect(a == b)
        #expect(a != c)
        #expect(try sample(["--temperature", "0"]) == sample(["--temperature", "0", "--seed", "99"]))
    }

    /// `--beams 1` is greedy decoding; more beams give one deterministic sequence, and a request
    /// beam search cannot serve (more tokens than the block) is one line, not a crash.
    @Test func beamSearchFromTheCommandLine() throws {
        let checkpoint = Self.sampled
        func sample(_ extra: [String]) throws -> String { try Self.sample(extra, maxTokens: 12) }
        #expect(try sample(["--beams", "1"]) == sample(["--temperature", "0"]))
        let three = try sample(["--beams", "3"])
        #expect(three.hasPrefix("KING:"))
        #expect(try sample(["--beams", "3", "--seed", "5"]) == three)
        let tooLong = try TrainerProcess.run(["sample", checkpoint, "--beams", "2", "--max-tokens", "1000"], timeout: 60)
        #expect(tooLong.status != 0)
        #expect(tooLong.stderr.contains("--max-tokens 1000 with --beams"), "stderr: \(tooLong.stderr)")
        let many = try TrainerProcess.run(["sample", checkpoint, "--beams", "2", "--num-samples", "3"], timeout: 60)
        #expect(many.status != 0)
        #expect(many.stderr.contains("--beams gives one sequence"), "stderr: \(many.stderr)")
    }
}

/// Checkpoints outlive the trainer version that wrote them.
@Suite struct CheckpointCompatibilityTests {
    @Test func checkpointWithoutNewerConfigFieldsStillResumes() throws {
        let dir = try TestDirectory.make("old-state")
        try TinyRun.train(dir, steps: 20, ["--until-step", "10"])
        // Remove a field that later versions added, as an older trainer would have written it.
        let stateURL = dir.appendingPathComponent("run/step-0000010/state.json")
        var state = try JSONSerialization.jsonObject(with: Data(contentsOf: stateURL)) as! [String: Any]
        var config = state["config"] as! [String: Any]
        var training = config["training"] as! [String: Any]
        training.removeValue(forKey: "max_skipped_steps")
        config["training"] = training
        config.removeValue(forKey: "distributed")
        state["config"] = config
        let edited = try JSONSerialization.data(withJSONObject: state, options: [.sortedKeys])
        try edited.write(to: stateURL)
        // state.json is not among the hashed files, so the edit keeps the checkpoint valid.
        let resumed = try TinyRun.train(dir, steps: 20, ["--resume"])
        #expect(resumed.stdout.contains("resumed at step 10"), "stderr: \(resumed.stderr)")
    }
}
