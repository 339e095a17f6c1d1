import Data
import Foundation
import Testing
import TestSupport

/// Every corpus format gives the documents it holds: text files, folders, JSONL and gzip.
@Suite struct CorpusFormatTests {
    /// Documents with escapes, non-ASCII text and a literal "<|endoftext|>" that must stay plain text.
    static let texts: [String] = (0..<40).map { i in
        let long = DataFixtures.works.filter { $0.text.count > 20_000 }
        let excerpt = String(long[i % long.count].text.dropFirst(2000 + 37 * i).prefix(300 + 11 * i))
        return "Doc \(i): \"quoted\" \\ back\tslash é 漢字 😀 <|endoftext|>\n" + excerpt
    }

    static func prepare(_ corpus: URL, _ root: URL, valCorpus: URL? = nil, valFraction: Double = 0.25) throws -> PreparedData {
        var settings = PreparationSettings(corpus: corpus.path, directory: root.appendingPathComponent("out"), vocabSize: 280, valFraction: valFraction)
        settings.valCorpus = valCorpus?.path ?? ""
        return try DataPreparation.prepare(settings)
    }

    @Test func textFileIsOneDocumentSplitAtItsTail() throws {
        let root = try TestDirectory.make("text")
        defer { try? FileManager.default.removeItem(at: root) }
        let text = Self.texts.joined(separator: "\n")
        let data = try Self.prepare(DataFixtures.write(text, "corpus.txt", in: root), root)
        let train = DataFixtures.documents(data.train, data.tokenizer)
        let val = DataFixtures.documents(data.val, data.tokenizer)
        #expect(train.count == 1 && val.count == 1)
        #expect(train[0] + val[0] == text)
        #expect(data.manifest?.documents == 1)
    }

    @Test func folderIsReadRecursivelyInNameOrder() throws {
        let root = try TestDirectory.make("folder")
        defer { try? FileManager.default.removeItem(at: root) }
        let corpus = root.appendingPathComponent("corpus")
        try DataFixtures.write(Self.texts[0], "b.txt", in: corpus)
        try DataFixtures.write(Self.texts[1], "a/z.txt", in: corpus)
        try DataFixtures.write(Self.texts[2], "a/b.txt.gz", in: corpus)
        try DataFixtures.write(DataFixtures.jsonLine(Self.texts[3]) + "\n" + DataFixtures.jsonLine(Self.texts[4]) + "\n", "c.jsonl", in: corpus)
        try DataFixtures.write("ignored", "notes.md", in: corpus)
        try DataFixtures.write("ignored", ".hidden.txt", in: corpus)
        let data = try Self.prepare(corpus, root, valFraction: 0.0001)
        #expect(try CorpusFile.list(corpus: corpus.path).map(\.name) == ["a/b.txt.gz", "a/z.txt", "b.txt", "c.jsonl"])
        #expect(data.manifest?.corpus.files == 4)
        #expect(DataFixtures.documents(data.train, data.tokenizer) == [2, 1, 0, 3, 4].map { Self.texts[$0] })
        #expect(data.manifest?.documents == 5)
    }

    @Test func jsonlLinesAreWholeDocumentsHeldOutByHash() throws {
        let root = try TestDirectory.make("jsonl")
        defer { try? FileManager.default.removeItem(at: root) }
        var lines = Self.texts.enumerated().map { i, text in
            DataFixtures.jsonLine(text, extra: i % 3 == 0 ? "\"meta\": {\"id\": [\(i), -1.5e3, true, null, \"\\u00e9\\ud83d\\ude00\"]}" : "")
        }
        lines.insert("", at: 7)
        lines.insert("   ", at: 20)
        let data = try Self.prepare(DataFixtures.write(lines.joined(separator: "\n") + "\n", "docs.jsonl", in: root), root)
        let train = DataFixtures.documents(data.train, data.tokenizer)
        let val = DataFixtures.documents(data.val, data.tokenizer)
        #expect(Set(train).union(val) == Set(Self.texts) && train.count + val.count == Self.texts.count)
        #expect(val.count >= 4 && val.count <= 18, "\(val.count) of 40 held out at 0.25")
        #expect(train == Self.texts.filter { Set(train).contains($0) }, "training documents keep file order")
    }

    @Test func escapesDecodeAsJSONDoes() throws {
        let root = try TestDirectory.make("escapes")
        defer { try? FileManager.default.removeItem(at: root) }
        let line = #"{"id": 1, "text": "a\"b\\c\/d\n\t\u00e9\ud83d\ude00\ud800x\u0041", "x": [{"text": 2}]}"#
        let data = try Self.prepare(DataFixtures.write(String(repeating: line + "\n", count: 3) + Self.texts.map { DataFixtures.jsonLine($0) }.joined(separator: "\n"), "e.jsonl", in: root), root, valFraction: 0.0001)
        let expected = "a\"b\\c/d\n\té😀\u{FFFD}xA"
        #expect(Array(DataFixtures.documents(data.train, data.tokenizer).prefix(3)) == [expected, expected, expected])
    }

    @Test(arguments: ["corpus.txt", "corpus.jsonl"])
    func gzipGivesTheSameShards(name: String) throws {
        let root = try TestDirectory.make("gzip")
        defer { try? FileManager.default.removeItem(at: root) }
        let text = name.hasSuffix(".jsonl") ? Self.texts.map { DataFixtures.jsonLine($0) }.joined(separator: "\n") : Self.texts.joined()
        let plain = try Self.prepare(DataFixtures.write(text, "p/" + name, in: root), root.appendingPathComponent("p"))
        let packed = try Self.prepare(DataFixtures.write(text, "g/" + name + ".gz", in: root), root.appendingPathComponent("g"))
        for shard in ["train_000000.bin", "val_000000.bin", "vocab.json", "merges.txt"] {
            #expect(FileManager.default.contents(atPath: plain.directory.appendingPathComponent(shard).path)
                    == FileManager.default.contents(atPath: packed.directory.appendingPathComponent(shard).path), "\(shard)")
        }
        #expect(plain.trainTokens > 1000)
    }

    @Test func separateValidationCorpus() throws {
        let root = try TestDirectory.make("valcorpus")
        defer { try? FileManager.default.removeItem(at: root) }
        let corpus = try DataFixtures.write(Self.texts[..<30].map { DataFixtures.jsonLine($0) }.joined(separator: "\n"), "train.jsonl", in: root)
        let valCorpus = try DataFixtures.write(Self.texts[30...].joined(), "held.txt", in: root)
        let data = try Self.prepare(corpus, root, valCorpus: valCorpus)
        #expect(DataFixtures.documents(data.train, data.tokenizer) == Array(Self.texts[..<30]))
        #expect(DataFixtures.documents(data.val, data.tokenizer) == [Self.texts[30...].joined()])
        #expect(data.manifest?.valCorpus.files == 1 && data.manifest?.corpus.files == 1)
    }
}
