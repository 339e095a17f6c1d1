import Data
import Foundation
import Testing
import TestSupport

/// JSONL lines too long to hold are streamed (issue 28, item 4: flat memory): their "text" decoded
/// and encoded in bounded parts, giving shards byte-identical to reading every line whole, at any
/// rank count, with the same strictness (a later "text" wins, syntax errors name line and column).
@Suite(.serialized) struct StreamedLineTests {
    /// Text that stresses the cuts: Shakespeare, runs of spaces and newlines, words far over 1 KiB
    /// (letters, digits, punctuation ending in an apostrophe before a letter), contractions, € runs.
    static let hardText: String = {
        var state: UInt64 = 11
        func letters(_ n: Int) -> String {
            String(decoding: (0..<n).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(ascii: "a") + UInt8((state >> 33) % 26)
            }, as: UTF8.self)
        }
        let works = DataFixtures.works.map(\.text)
        return [works[0], String(repeating: " ", count: 5000) + "x", String(repeating: "\n", count: 3000), letters(9000),
                String(repeating: "!", count: 2500) + "'s they'll", String(repeating: "7", count: 4100), String(works[1].prefix(200_000)), "xyz",
                String(repeating: "€", count: 2000) + " done", letters(100) + "  \t \n" + letters(3000), works[2]].joined(separator: " ")
    }()

    /// A corpus of short lines around long ones, with an escaped emoji pair, a field before the text,
    /// a long text overruled by a later one, and a long other field.
    static func corpus(_ root: URL, name: String) throws -> (URL, [String]) {
        let works = DataFixtures.works.map(\.text)
        let short = works[3].split(separator: "\n\n").prefix(40).map(String.init)
        // A JSON string literal: `{"text":"..."}` without its key and braces.
        func quoted(_ text: String) -> String { String(DataFixtures.jsonLine(text).dropFirst(8).dropLast()) }
        let emoji = DataFixtures.jsonLine(hardText).replacingOccurrences(of: "xyz", with: #"\ud83d\ude00\u00e9\n"#)
        let lines = short.prefix(20).map { DataFixtures.jsonLine($0) } + [
            DataFixtures.jsonLine(hardText, extra: #""id": 7"#),
            emoji,
            #"{"text": "# + quoted(works[4]) + #", "text": "the winner"}"#,
            #"{"meta": "# + quoted(works[5]) + #", "text": "short"}"#,
        ] + short.suffix(20).map { DataFixtures.jsonLine($0) }
        let documents = Array(short.prefix(20)) + [hardText, hardText.replacingOccurrences(of: "xyz", with: "😀é\n"), "the winner", "short"]
            + Array(short.suffix(20))
        return (try DataFixtures.write(lines.joined(separator: "\n") + "\n", name, in: root), documents)
    }

    static func prepare(_ corpus: URL, longLineBytes: Int, ranks: Int) throws -> [String: Data] {
        let directory = try TestDirectory.make("streamed-\(ranks)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var settings = PreparationSettings(corpus: corpus.path, directory: directory, vocabSize: 400, valFraction: 0.3)
        settings.pieceBytes = 1 << 20
        settings.longLineBytes = longLineBytes
        settings.tokenizerSampleBytes = 1 << 20
        let fixed = settings
        let results = ThreadGroupHub(size: ranks).run { group in try DataPreparation.prepare(fixed, group: group).trainTokens }
        for result in results { _ = try result.get() }
        return DataFixtures.snapshot(directory)
    }

    @Test(arguments: ["lines.jsonl", "lines.jsonl.gz"])
    func streamedLinesGiveTheShardsOfWholeLines(_ name: String) throws {
        let root = try TestDirectory.make("streamed-corpus")
        defer { try? FileManager.default.removeItem(at: root) }
        let (corpus, documents) = try Self.corpus(root, name: name)
        let whole = try Self.prepare(corpus, longLineBytes: 1 << 30, ranks: 1)
        #expect(whole.keys.contains("prepared.json") && whole.keys.contains("train_000000.bin"))
        for ranks in [1, 3] {
            let streamed = try Self.prepare(corpus, longLineBytes: 4096, ranks: ranks)
            #expect(streamed.keys.sorted() == whole.keys.sorted())
            for (file, bytes) in whole { #expect(streamed[file] == bytes, "\(file) differs when streamed at \(ranks) ranks") }
        }
        // And they hold the documents themselves: train and val together, in any order.
        let directory = try TestDirectory.make("streamed-check")
        defer { try? FileManager.default.removeItem(at: directory) }
        var settings = PreparationSettings(corpus: corpus.path, directory: directory, vocabSize: 400, valFraction: 0.3)
        settings.longLineBytes = 4096
        settings.tokenizerSampleBytes = 1 << 20
        let data = try DataPreparation.prepare(settings)
        let found = DataFixtures.documents(data.train, data.tokenizer) + DataFixtures.documents(data.val, data.tokenizer)
        #expect(found.sorted() == documents.sorted())
    }

    @Test(arguments: [
        (#"\q"#, "unknown escape in a string at column"), (#"\u12G4"#, "expected 4 hex digits after \\u at column"),
        ("\u{01}", "control character inside a string at column \(10 + 20000 + 1)"),
    ])
    func aBadStreamedStringNamesLineAndColumn(_ bad: String, _ expected: String) throws {
        let root = try TestDirectory.make("streamed-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        let text = String(repeating: "abc ", count: 5000)  // 20000 bytes after the 10 of `{"text": "`
        let line = #"{"text": ""# + text + bad + text + #""}"#
        let corpus = try DataFixtures.write(#"{"text": "fine"}"# + "\n" + line + "\n", "bad.jsonl", in: root)
        var settings = PreparationSettings(corpus: corpus.path, directory: root.appendingPathComponent("out"), vocabSize: 300, valFraction: 0.1)
        settings.longLineBytes = 4096
        // A tokenizer in place: the sample, which reads short lines whole, would find the error first.
        try FileManager.default.createDirectory(at: settings.directory, withIntermediateDirectories: true)
        try BPETrainer.train(texts: [LongLineTests.words(100_000, seed: 3)], vocabSize: 300).save(to: settings.directory)
        let message = DataFixtures.message { _ = try DataPreparation.prepare(settings) }
        #expect(message.contains("bad.jsonl:2:") && message.contains(expected), "\(message)")
    }
}
