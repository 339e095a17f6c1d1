import Crypto
import Foundation
import Testing
import TestSupport

/// With distributed.exact on, a run's weights and AdamW moments are the same bytes for any
/// ranks × threads layout, and a run resumed on another rank count is the same as one in one go.
/// gpt-tiny with 24 sequences per step in micro-batches of 2: 12 micro-batches, which 1, 2, 3
/// and 4 ranks split.
@Suite(.serialized) struct LayoutEqualityTests {
    static let steps = 6
    static let exact = ["--set", "training.batch_tokens=768", "--set", "training.micro_batch=2", "--set", "distributed.exact=true",
                        "--set", "eval.every=3", "--set", "checkpoint.every=3", "--set", "training.max_steps=\(steps)"]
    /// Ranks × OPENBLAS_NUM_THREADS.
    static let layouts = [(1, 1), (1, 2), (2, 1), (3, 1), (4, 1)]

    static func name(_ layout: (Int, Int)) -> String { "r\(layout.0)t\(layout.1)" }

    /// Runs gpt-tiny for each layout once (the 1 × 1 run is also the fine-tuning tests' model).
    static let runs: URL = {
        let dir = try! TestDirectory.make("layouts")
        for layout in layouts {
            let result = try! train(dir, run: name(layout), ranks: layout.0, threads: layout.1)
            precondition(result.status == 0, "\(name(layout)) failed: \(result.stderr)")
        }
        return dir
    }()

    static func train(_ dir: URL, run: String, ranks: Int, threads: Int = 1, _ extra: [String] = []) throws -> TrainerProcess.Result {
        try TrainerProcess.run(["configs/gpt-tiny.json", "--set", "checkpoint.dir=\(dir.path)/\(run)", "--set", "data.dir=\(dir.path)/data"] + exact + extra,
                               ranks: ranks == 1 ? nil : ranks, timeout: 600, environment: ["OPENBLAS_NUM_THREADS": "\(threads)"])
    }

    /// Hex SHA-256 of a file in a run's step directory.
    static func sha256(_ dir: URL, _ run: String, step: Int, _ file: String) throws -> String {
        SHA256.hash(data: try TinyRun.bytes(dir, run, step: step, file)).map { String(format: "%02x", $0) }.joined()
    }

    @Test func everyLayoutGivesTheSameWeightsMomentsAndLosses() throws {
        let dir = Self.runs, reference = Self.name(Self.layouts[0])
        let metrics = try RunMetrics(runDirectory: dir.appendingPathComponent(reference))
        #expect(metrics.losses.count == Self.steps && metrics.validation.count == 2)
        for layout in Self.layouts.dropFirst() {
            let run = Self.name(layout)
            for file in ["model.safetensors", "optimizer.safetensors"] {
                for step in [3, Self.steps] {
                    #expect(try Self.sha256(dir, run, step: step, file) == Self.sha256(dir, reference, step: step, file), "\(run) step \(step) \(file)")
                }
            }
            // Losses, gradient norms and validation losses as logged (timing fields left out).
            let other = try RunMetrics(runDirectory: dir.appendingPathComponent(run))
            #expect(other.steps == metrics.steps, "\(run) metrics")
            #expect(other.validation == metrics.validation, "\(run) validation losses")
        }
        let first = try Self.sha256(dir, reference, step: 3, "model.safetensors"), last = try Self.sha256(dir, reference, step: Self.steps, "model.safetensors")
        print("layouts \(Self.layouts.map(Self.name)): model.safetensors step 3 \(first.prefix(16)), step \(Self.steps) \(last.prefix(16)) for every layout")
    }

    @Test func resumeOnAnotherRankCountIsBitIdentical() throws {
        let dir = Self.runs
        let half = try Self.train(dir, run: "split", ranks: 2, ["--until-step", "\(Self.steps / 2)"])
        #expect(half.status == 0, "\(half.stderr)")
        let resumed = try Self.train(dir, run: "split", ranks: 3, ["--resume"])
        #expect(resumed.status == 0 && resumed.stdout.contains("resumed at step \(Self.steps / 2)"), "\(resumed.stderr)")
        #expect(!resumed.stdout.contains("not summed exactly"), "\(resumed.stdout)")
        for file in ["model.safetensors", "optimizer.safetensors"] {
            #expect(try Self.sha256(dir, "split", step: Self.steps, file) == Self.sha256(dir, "r1t1", step: Self.steps, file), "\(file) after -n 2 → -n 3")
        }
        let state = try JSONSerialization.jsonObject(with: TinyRun.bytes(dir, "split", step: Self.steps, "state.json")) as! [String: Any]
        #expect(state["exact"] as? Bool == true)
    }

    @Test func resumingAFloatRunExactlySaysSoOnce() throws {
        let dir = Self.runs
        let float = try Self.train(dir, run: "float", ranks: 2, ["--set", "distributed.exact=false", "--until-step", "\(Self.steps / 2)"])
        #expect(float.status == 0, "\(float.stderr)")
        let state = try JSONSerialization.jsonObject(with: TinyRun.bytes(dir, "float", step: Self.steps / 2, "state.json")) as! [String: Any]
        #expect(state["exact"] as? Bool == false)
        let resumed = try Self.train(dir, run: "float", ranks: 2, ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let lines = resumed.stdout.split(separator: "\n").filter { $0.contains("were not summed exactly") }
        #expect(lines.count == 1, "\(resumed.stdout)")
        let after = try JSONSerialization.jsonObject(with: TinyRun.bytes(dir, "float", step: Self.steps, "state.json")) as! [String: Any]
        #expect(after["exact"] as? Bool == false)  // the run as a whole still was not exact
    }

    /// A NaN written into a gradient on one rank cannot be added in fixed point: it is counted, and
    /// every rank skips the step, as with Float sums.
    @Test func aNaNGradientIsCountedAndTheStepSkippedOnEveryRank() throws {
        let dir = try TestDirectory.make("layout-nan")
        let result = try TrainerProcess.run(["configs/gpt-tiny.json", "--set", "checkpoint.dir=\(dir.path)/run", "--set", "data.dir=\(Self.runs.path)/data"] + Self.exact,
                                            ranks: 2, timeout: 120, environment: ["TRAINER_FAULT": "nan:rank=1:step=3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("step 3: non-finite"), "\(result.stderr)")
        let metrics = try RunMetrics(runDirectory: dir.appendingPathComponent("run"))
        #expect(metrics.steps[3]?["skipped"] == "1" || metrics.steps[3]?["skipped"] == "true")
        #expect(Double(metrics.steps[3]?["loss"] ?? "")?.isFinite == true && metrics.steps[3]?["grad_norm"] == "nan", "\(metrics.steps[3] ?? [:])")
        #expect(metrics.steps[4]?["skipped"] == "0" || metrics.steps[4]?["skipped"] == "false")
        #expect(result.stdout.contains("(2 replicas identical)"), "\(result.stdout)")
    }

    @Test func ranksThatDoNotSplitTheBatchAreRefusedBeforeMPI() throws {
        let dir = try TestDirectory.make("layout-bad")
        let result = try Self.train(dir, run: "run", ranks: 5)
        #expect(result.status == 2, "status \(result.status): \(result.stderr)")  // 2: failed before MPI started
        let errors = result.stderr.split(separator: "\n").filter { $0.contains("error") }
        #expect(errors.count == 1, "\(result.stderr)")
        #expect(errors.first?.contains("rank counts that split it: 1, 2, 3, 4, 6, 12") == true, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("run").path))
    }

    /// Fine-tuning from the 1 × 1 run at 1, 2 and 3 ranks: same weights, moments and held-out figures.
    @Test(arguments: ["configs/finetune-classify-tiny.json", "configs/finetune-instruct-tiny.json"])
    func fineTuningGivesTheSameBytesAtEveryRankCount(config: String) throws {
        let dir = try TestDirectory.make("layout-ft")
        let files = ["model.safetensors", "optimizer.safetensors"] + (config.contains("classify") ? ["classifier_optimizer.safetensors"] : [])
        var validation: [[Int: Double]] = []
        for ranks in [1, 2, 3] {
            let result = try TrainerProcess.run(
                ["finetune", config, "--set", "finetune.init_from=\(Self.runs.path)/r1t1", "--set", "checkpoint.dir=\(dir.path)/n\(ranks)",
                 "--set", "training.batch_tokens=768", "--set", "training.micro_batch=2", "--set", "training.max_steps=4",
                 "--set", "eval.every=2", "--set", "distributed.exact=true"],
                ranks: ranks == 1 ? nil : ranks, timeout: 600)
            #expect(result.status == 0, "-n \(ranks): \(result.stderr)")
            validation.append(try RunMetrics(runDirectory: dir.appendingPathComponent("n\(ranks)")).validation)
        }
        for ranks in [2, 3] {
            for file in files {
                #expect(try Self.sha256(dir, "n\(ranks)", step: 4, file) == Self.sha256(dir, "n1", step: 4, file), "\(config) -n \(ranks): \(file)")
            }
        }
        #expect(validation[0].count == 3 && validation.allSatisfy { $0 == validation[0] }, "\(validation)")
    }

    /// The llama family, with AdamW and with Muon (the speedrun's recipe), at 1 × 1, 1 × 2, 2 × 1
    /// and 3 × 1: the same weights and optimizer state.
    @Test(arguments: ["adamw", "muon"])
    func theLlamaFamilyGivesTheSameBytesAtEveryLayout(optimizer: String) throws {
        let dir = try TestDirectory.make("layout-llama-\(optimizer)")
        let recipe = ["--set", "model.family=llama", "--set", "training.optimizer=\(optimizer)"]
            + (optimizer == "muon" ? ["--set", "training.lr=0.02", "--set", "training.min_lr=0.002"] : [])
        let layouts = [(1, 1), (1, 2), (2, 1), (3, 1)]
        for layout in layouts {
            let result = try Self.train(dir, run: Self.name(layout), ranks: layout.0, threads: layout.1, recipe)
            try #require(result.status == 0, "\(Self.name(layout)): \(result.stderr)")
        }
        for layout in layouts.dropFirst() {
            for file in ["model.safetensors", "optimizer.safetensors"] {
                #expect(try Self.sha256(dir, Self.name(layout), step: Self.steps, file) == Self.sha256(dir, "r1t1", step: Self.steps, file),
                        "llama \(optimizer) \(Self.name(layout)): \(file)")
            }
        }
    }
}
