import Data
import Foundation
import Testing
import TestSupport

/// A bad corpus file is an error that names the file (and the line for JSONL), never a crash.
@Suite struct CorruptInputTests {
    static func prepareError(_ files: [String: String], vocabSize: Int = 270, damage: (URL) throws -> Void = { _ in }) throws -> String {
        let root = try TestDirectory.make("corrupt")
        defer { try? FileManager.default.removeItem(at: root) }
        for (name, text) in files { try DataFixtures.write(text, "c/" + name, in: root) }
        try damage(root.appendingPathComponent("c"))
        let settings = PreparationSettings(corpus: root.appendingPathComponent("c").path, directory: root.appendingPathComponent("out"), vocabSize: vocabSize, valFraction: 0.1)
        return DataFixtures.message { _ = try DataPreparation.prepare(settings) }
    }

    static let play = DataFixtures.works[0].text

    @Test func corruptGzipNamesTheFile() throws {
        let message = try Self.prepareError(["play.txt.gz": Self.play]) { folder in
            let url = folder.appendingPathComponent("play.txt.gz")
            var bytes = try Data(contentsOf: url)
            for i in stride(from: bytes.count / 3, to: bytes.count / 3 + 64, by: 1) { bytes[i] ^= 0x5A }
            try bytes.write(to: url)
        }
        #expect(message.contains("play.txt.gz") && message.contains("corrupt gzip data"), "\(message)")
    }

    @Test func truncatedGzipNamesTheFile() throws {
        let message = try Self.prepareError(["play.txt.gz": Self.play]) { folder in
            let url = folder.appendingPathComponent("play.txt.gz")
            let bytes = try Data(contentsOf: url)
            try bytes.prefix(bytes.count / 2).write(to: url)
        }
        #expect(message.contains("play.txt.gz") && message.contains("truncated"), "\(message)")
    }

    @Test func plainTextNamedGzipIsAnError() throws {
        let message = try Self.prepareError(["a.txt": Self.play]) { folder in
            try Data("just text".utf8).write(to: folder.appendingPathComponent("b.txt.gz"))
        }
        #expect(message.contains("b.txt.gz") && message.contains("gzip"), "\(message)")
    }

    @Test(arguments: ["docs.jsonl", "docs.jsonl.gz"])
    func jsonlLineWithoutTextNamesFileAndLine(name: String) throws {
        let lines = [DataFixtures.jsonLine(Self.play), DataFixtures.jsonLine("fine"), #"{"title": "Hamlet", "body": "no text field"}"#]
        let message = try Self.prepareError([name: lines.joined(separator: "\n") + "\n"])
        #expect(message.contains("\(name):3: no \"text\" field"), "\(message)")
    }

    @Test func malformedJSONLinesNameFileAndLine() throws {
        let cases = [
            (#"{"text": "unterminated}"#, "unterminated string"),
            (#"{"text": "a" "b": 1}"#, "expected ',' or '}'"),
            (#"{"text": 5}"#, "\"text\" is a number, not a string"),
            (#"{"text": null}"#, "\"text\" is null, not a string"),
            (#"["text", "a"]"#, "expected a JSON object"),
            (#"{"text": "a"} trailing"#, "end of the line"),
            ("{\"text\": \"tab\tinside\"}", "control character"),
            (#"{"text": "\q"}"#, "unknown escape"),
            (String(repeating: "[", count: 400), "expected a JSON object"),
            ("{\"x\": " + String(repeating: "[", count: 400) + "]}", "nesting deeper"),
        ]
        for (line, reason) in cases {
            let message = try Self.prepareError(["d.jsonl": DataFixtures.jsonLine(Self.play) + "\n\n" + line + "\n"])
            #expect(message.contains("d.jsonl:3: ") && message.contains(reason), "\(line): \(message)")
        }
    }
}
