import Data
import Foundation
import Testing
import Training
import Checkpoints

/// Property-based fuzzing of every parser that reads user files: arbitrary bytes, and valid
/// inputs with random bytes changed, must give a value or a thrown error, never a crash.
@Suite struct FuzzTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `count` inputs: half random byte strings, half `valid` with a few random bytes replaced.
    static func inputs(seed: UInt64, count: Int, valid: Data) -> [Data] {
        var rng = SplitMix64(seed: seed)
        var out: [Data] = []
        for i in 0..<count {
            if i % 2 == 0 || valid.isEmpty {
                let n = Int(rng.next() % 300)
                out.append(Data((0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }))
            } else {
                var bytes = valid
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
                if rng.next() % 4 == 0 { bytes = bytes.prefix(Int(rng.next() % UInt64(bytes.count))) }
                out.append(bytes)
            }
        }
        return out
    }

    static func scratch(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-fuzz-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func configParserNeverCrashes() throws {
        let valid = try Data(contentsOf: Self.root.appendingPathComponent("configs/gpt-small.json"))
        var accepted = 0
        for input in Self.inputs(seed: 1, count: 2000, valid: valid) {
            if (try? ConfigLoader.decode(input, source: "fuzz")) != nil { accepted += 1 }
        }
        #expect(accepted < 2000)
    }

    @Test func shardReaderNeverCrashes() throws {
        let dir = try Self.scratch("shard")
        let valid = dir.appendingPathComponent("valid.bin")
        try TokenShard.write(tokens: (0..<64).map { UInt16($0) }, to: valid)
        let validBytes = try Data(contentsOf: valid)
        for (i, input) in Self.inputs(seed: 2, count: 600, valid: validBytes).enumerated() {
            let url = dir.appendingPathComponent("f\(i % 8).bin")
            try input.write(to: url)
            if let shard = try? TokenShard(url: url) {
                var sum = 0
                for j in 0..<shard.count { sum &+= Int(shard[j]) }  // every token it claims must be readable
                _ = sum
            }
        }
    }

    @Test func tokenizerFilesNeverCrashTheLoader() throws {
        let dir = try Self.scratch("tokenizer")
        let tokenizer = try BPETrainer.train(texts: ["to be or not to be, that is the question"], vocabSize: 270)
        try tokenizer.save(to: dir)
        let vocab = try Data(contentsOf: dir.appendingPathComponent(BPETokenizer.vocabFileName))
        let merges = try Data(contentsOf: dir.appendingPathComponent(BPETokenizer.mergesFileName))
        let vocabs = Self.inputs(seed: 3, count: 300, valid: vocab)
        let mergeLists = Self.inputs(seed: 4, count: 300, valid: merges)
        for (v, m) in zip(vocabs, mergeLists) {
            try v.write(to: dir.appendingPathComponent(BPETokenizer.vocabFileName))
            try m.write(to: dir.appendingPathComponent(BPETokenizer.mergesFileName))
            if let loaded = try? BPETokenizer.load(from: dir) {
                let bytes: [UInt8] = Array("fuzzing, a test".utf8)
                #expect(loaded.decode(loaded.encode(bytes: bytes)) == bytes)
            }
        }
    }

    @Test func checkpointStateAndSafetensorsNeverCrash() throws {
        let dir = try Self.scratch("state")
        let state = Data(#"{"format_version": 1, "step": 3, "tokens_seen": 10}"#.utf8)
        for input in Self.inputs(seed: 5, count: 1000, valid: state) {
            _ = try? TrainingState.read(input, path: "fuzz")
        }
        let file = dir.appendingPathComponent("t.safetensors")
        try Safetensors.write(tensors: [SafetensorsTensor(name: "w", shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])], to: file)
        let valid = try Data(contentsOf: file)
        for input in Self.inputs(seed: 6, count: 600, valid: valid) {
            try input.write(to: file)
            if let f = try? SafetensorsFile(url: file), let e = f.entries.first {
                _ = try? f.tensor(named: e.name)
            }
        }
    }
}
