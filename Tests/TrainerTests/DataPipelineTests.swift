import Foundation
import Testing
import TestSupport

/// `trainer prepare` under mpirun spreads the encoding over the ranks and writes the same shards at
/// any rank count; llm.c shards train without a manifest; a bad shard stops every rank with one line.
@Suite(.serialized) struct DataPipelineTests {
    /// A 1.6 MB single-file corpus (two 1 MiB pieces) and a small JSONL file, from the bundled works.
    static let corpus: URL = {
        let dir = try! TestDirectory.make("pipeline-corpus")
        let folder = TrainerProcess.root.appendingPathComponent("data/shakespeare")
        let names = try! FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".txt") }.sorted()
        let works = names.map { try! String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
        try! FileManager.default.createDirectory(at: dir.appendingPathComponent("corpus"), withIntermediateDirectories: true)
        try! works[0..<12].joined(separator: "\n").write(to: dir.appendingPathComponent("corpus/plays.txt"), atomically: true, encoding: .utf8)
        let lines = works[12..<14].flatMap { $0.split(separator: "\n\n") }.map { paragraph in
            String(decoding: try! JSONSerialization.data(withJSONObject: ["text": String(paragraph)]), as: UTF8.self)
        }
        try! lines.joined(separator: "\n").write(to: dir.appendingPathComponent("corpus/speeches.jsonl"), atomically: true, encoding: .utf8)
        return dir
    }()

    static func prepareArguments(_ data: URL) -> [String] {
        ["prepare", "configs/gpt-tiny.json", "--set", "data.corpus=\(corpus.path)/corpus", "--set", "data.dir=\(data.path)",
         "--set", "data.prepare_chunk_mb=1"]
    }

    static func files(_ dir: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] {
            out[name] = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path)
        }
        return out
    }

    @Test func prepareGivesByteIdenticalShardsAtOneTwoAndFourRanks() throws {
        let one = Self.corpus.appendingPathComponent("data-1")
        let first = try TrainerProcess.run(Self.prepareArguments(one), timeout: 300)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("encoding:") && first.stdout.contains("MB/s"), "\(first.stdout)")
        let reference = Self.files(one)
        #expect(reference.keys.contains("train_000000.bin") && reference.keys.contains("prepared.json"))
        for ranks in [1, 2, 4] {
            let dir = Self.corpus.appendingPathComponent("data-n\(ranks)")
            // The same tokenizer, so that this compares the encoding and the layout.
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for name in ["vocab.json", "merges.txt"] { try reference[name]!.write(to: dir.appendingPathComponent(name)) }
            let result = try TrainerProcess.run(Self.prepareArguments(dir), ranks: ranks, timeout: 300)
            #expect(result.status == 0, "-n \(ranks): \(result.stderr)")
            let files = Self.files(dir)
            #expect(files.keys.sorted() == reference.keys.sorted(), "-n \(ranks): \(files.keys.sorted())")
            for (name, bytes) in reference { #expect(files[name] == bytes, "-n \(ranks): \(name) differs") }
        }
        // Up to date: only rank 0 looks at the corpus, and nothing is rewritten.
        let again = try TrainerProcess.run(Self.prepareArguments(one), ranks: 2, timeout: 120)
        #expect(again.status == 0 && again.stdout.contains("is up to date"), "\(again.stdout) \(again.stderr)")
    }

    /// A copy of prepared gpt-tiny shards under llm.c's names, with the tokenizer and no prepared.json.
    static func llmcDirectory(_ name: String) throws -> URL {
        let prepared = corpus.appendingPathComponent("data-1")
        if !FileManager.default.fileExists(atPath: prepared.appendingPathComponent("prepared.json").path) {
            let result = try TrainerProcess.run(prepareArguments(prepared), timeout: 300)
            #expect(result.status == 0, "preparing the llm.c copy's source failed: \(result.stderr)")
        }
        let dir = corpus.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (from, to) in [("vocab.json", "vocab.json"), ("merges.txt", "merges.txt"), ("train_000000.bin", "tiny_train_000001.bin"), ("val_000000.bin", "tiny_val_000000.bin")] {
            try FileManager.default.copyItem(at: prepared.appendingPathComponent(from), to: dir.appendingPathComponent(to))
        }
        return dir
    }

    @Test func llmcShardsTrainWithoutAManifest() throws {
        let dir = try Self.llmcDirectory("llmc")
        let run = Self.corpus.appendingPathComponent("llmc-run")
        let result = try TrainerProcess.run(["configs/gpt-tiny.json", "--set", "data.corpus=", "--set", "data.dir=\(dir.path)",
                                             "--set", "checkpoint.dir=\(run.path)", "--set", "training.max_steps=4"], ranks: 2, timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("as it is"), "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("prepared.json").path))
    }

    @Test(arguments: [nil, 2] as [Int?])
    func outOfVocabularyOrMisSizedShardStopsEveryRankWithOneLine(ranks: Int?) throws {
        let dir = try Self.llmcDirectory("llmc-bad-\(ranks ?? 1)")
        let shard = dir.appendingPathComponent("tiny_train_000001.bin")
        var bytes = try Data(contentsOf: shard)
        let position = 777
        bytes[1024 + 2 * position] = 0x30  // 50224 + the low byte's old value: far outside vocab 512
        bytes[1024 + 2 * position + 1] = 0xC4
        try bytes.write(to: shard)
        let token = Int(bytes[1024 + 2 * position]) | Int(bytes[1024 + 2 * position + 1]) << 8
        let args = ["configs/gpt-tiny.json", "--set", "data.corpus=", "--set", "data.dir=\(dir.path)",
                    "--set", "checkpoint.dir=\(dir.path)/run", "--set", "training.max_steps=2"]
        let oov = try TrainerProcess.run(args, ranks: ranks, timeout: 120)
        let errors = oov.stderr.split(separator: "\n").filter { $0.contains("error") }
        #expect(oov.status != 0 && errors.count == 1, "\(oov.stderr)")
        #expect(errors.first?.contains("token \(token) at position \(position)") == true && errors.first?.contains("vocabulary of 512") == true, "\(oov.stderr)")
        #expect(errors.first?.contains(shard.path) == true && !oov.stderr.contains("signal") && !oov.stderr.contains("MPI_ABORT"), "\(oov.stderr)")

        try bytes.prefix(1024 + 2 * 1000 + 1).write(to: shard)  // an odd size: no header can match it
        let sized = try TrainerProcess.run(args, ranks: ranks, timeout: 120)
        let sizeErrors = sized.stderr.split(separator: "\n").filter { $0.contains("error") }
        #expect(sized.status != 0 && sizeErrors.count == 1 && sizeErrors.first?.contains(shard.path) == true, "\(sized.stderr)")
        #expect(!sized.stderr.contains("signal") && !sized.stderr.contains("MPI_ABORT"), "\(sized.stderr)")
    }
}
