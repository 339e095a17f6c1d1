import Foundation
import Testing
import TestSupport

/// A bad config gets one clear stderr line naming the field, exit status 2, and no hang, on one
/// rank or several.
@Suite(.serialized) struct ConfigErrorTests {
    /// (name, config text, words the message must contain)
    static let cases: [(String, String, [String])] = [
        ("malformed JSON", #"{"model": {"n_layer": 2,}"#, ["malformed JSON"]),
        ("unknown key", #"{"model": {"n_layyer": 2}}"#, ["unknown key", "model.n_layyer"]),
        ("wrong type", #"{"training": {"max_steps": "many"}}"#, ["training.max_steps", "wrong type"]),
        ("heads do not divide width", #"{"model": {"n_embd": 30, "n_head": 4}}"#, ["model.n_embd", "n_head"]),
        ("batch does not divide", #"{"training": {"batch_tokens": 1000}}"#, ["training.batch_tokens"]),
        ("missing corpus", #"{"data": {"corpus": "no/such/corpus.txt", "dir": "/nonexistent-trainer-dir"}}"#, ["data.corpus", "no/such/corpus.txt"]),
        ("zero size", #"{"model": {"n_layer": 0}}"#, ["model.n_layer"]),
        ("vocab too large", #"{"model": {"vocab_size": 70000}}"#, ["model.vocab_size", "65536"]),
        ("bad schedule", #"{"training": {"schedule": "exponential"}}"#, ["training.schedule"]),
        ("sizes overflow", #"{"model": {"n_layer": 1000000000000, "n_embd": 1000000000, "n_head": 1}}"#, ["model", "64-bit"]),
        ("context overflows", #"{"model": {"block_size": 4611686018427387904}, "training": {"micro_batch": 4}}"#, ["model", "64-bit"]),
        ("negative seed", #"{"training": {"seed": -1}}"#, ["training.seed"]),
        ("absurd bucket", #"{"distributed": {"bucket_mb": 1e300}}"#, ["distributed.bucket_mb"]),
    ]

    @Test(arguments: 0..<cases.count)
    func badConfigFailsWithOneLine(index: Int) throws {
        let (name, text, words) = Self.cases[index]
        let dir = try TestDirectory.make("config")
        let path = dir.appendingPathComponent("bad.json")
        try Data(text.utf8).write(to: path)
        let result = try TrainerProcess.run([path.path], timeout: 30)
        #expect(result.status == 2, "\(name): status \(result.status), stderr: \(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(name): expected one stderr line, got: \(result.stderr)")
        for word in words { #expect(result.stderr.contains(word), "\(name): '\(word)' missing from: \(result.stderr)") }
    }

    /// A model far larger than the machine's memory is refused before MPI starts, naming the
    /// estimate and what is available, on one rank or two; never a signal from a failed allocation.
    @Test(arguments: [nil, 2] as [Int?])
    func oversizedConfigIsRefusedWithOneLine(ranks: Int?) throws {
        let dir = try TestDirectory.make("oversized")
        let result = try TrainerProcess.run(["configs/gpt-tiny.json", "--set", "model.n_layer=96", "--set", "model.n_embd=12288",
                                             "--set", "checkpoint.dir=\(dir.path)/run", "--set", "data.dir=\(dir.path)/data"],
                                            ranks: ranks, timeout: 60)
        #expect(!result.timedOut)
        #expect(result.status == 2, "status \(result.status), stderr: \(result.stderr)")
        // mpirun adds its own banner about the exit status; the trainer's line is the one naming the error.
        let lines = result.stderr.split(separator: "\n").filter { ranks == nil || $0.contains("error") }
        #expect(lines.count == 1, "expected one error line, got: \(result.stderr)")
        for word in ["estimated", "TiB", "available", "model.n_layer"] {
            #expect(result.stderr.contains(word), "'\(word)' missing from: \(result.stderr)")
        }
        if ranks == 2 { #expect(result.stderr.contains("2 ranks ×"), "stderr: \(result.stderr)") }
        #expect(!result.stderr.contains("signal") && !result.stderr.contains("MPI_ABORT"), "stderr: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("data").path), "data was prepared for a run that cannot start")
    }

    @Test func badOverrideIsReported() throws {
        let result = try TrainerProcess.run(["configs/gpt-tiny.json", "--set", "training.nope=1"], timeout: 30)
        #expect(result.status == 2)
        #expect(result.stderr.contains("training.nope"))
    }

    @Test func badConfigUnderMPIStopsEveryRankWithoutHanging() throws {
        let dir = try TestDirectory.make("config-mpi")
        let path = dir.appendingPathComponent("bad.json")
        try Data(#"{"model": {"n_embd": 30, "n_head": 4}}"#.utf8).write(to: path)
        let result = try TrainerProcess.run([path.path], ranks: 2, timeout: 60)
        #expect(!result.timedOut)
        #expect(result.status != 0)
        let errors = result.stderr.split(separator: "\n").filter { $0.contains("model.n_embd") }
        #expect(errors.count == 1, "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("MPI_ABORT"))
    }

    @Test func ranksThatDoNotDivideTheBatchAreRejected() throws {
        let dir = try TestDirectory.make("ranks")
        let result = try TrainerProcess.run(["configs/gpt-tiny.json", "--set", "checkpoint.dir=\(dir.path)/run", "--set", "data.dir=\(dir.path)/data"], ranks: 3, timeout: 120)
        #expect(!result.timedOut)
        #expect(result.status != 0)
        #expect(result.stderr.contains("training.batch_tokens"), "stderr: \(result.stderr)")
    }
}
