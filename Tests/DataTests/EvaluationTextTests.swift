import Data
import Foundation
import Testing
import TestSupport

/// `trainer eval --data` reads text: gzip decompressed, bad paths one clear line (issue 28, item 9).
@Suite struct EvaluationTextTests {
    @Test func gzipIsDecompressedAndPlainIsReadAsIs() throws {
        let dir = try TestDirectory.make("evaltext")
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = String(repeating: "Tomorrow, and tomorrow, and tomorrow. ", count: 50_000)
        let gz = try DataFixtures.write(text, "t.txt.gz", in: dir)
        let plain = try DataFixtures.write(text, "p.txt", in: dir)
        #expect(try EvaluationText.read(path: gz.path) == Array(text.utf8))
        #expect(try EvaluationText.read(path: plain.path) == Array(text.utf8))
    }

    @Test func badPathsAreOneLineWithoutFoundationText() throws {
        let dir = try TestDirectory.make("evaltext-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corrupt = dir.appendingPathComponent("c.gz")
        try Data([0x1F, 0x8B, 8, 0, 1, 2, 3]).write(to: corrupt)
        for (path, expected) in [(dir.path, "is a directory"), (dir.path + "/missing.txt", "no such file"), (corrupt.path, "c.gz")] {
            let message = DataFixtures.message { _ = try EvaluationText.read(path: path) }
            #expect(message.contains(expected), "\(message)")
            #expect(!message.contains("NSCocoaErrorDomain") && !message.contains("could not be completed") && !message.contains("\n"))
        }
    }

    /// A data directory that cannot be created is the OS's reason, not Foundation's text.
    @Test func unwritableDataDirectoryNamesTheReason() throws {
        let dir = try TestDirectory.make("evaltext-dir")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try DataFixtures.write("Out, out, brief candle! ", "c.txt", in: dir)
        let blocker = try DataFixtures.write("a file", "blocker", in: dir)
        let message = DataFixtures.message {
            _ = try DataPreparation.prepare(corpus: corpus, directory: blocker.appendingPathComponent("data"), vocabSize: 300, valFraction: 0.1)
        }
        #expect(message.contains(blocker.path) && message.lowercased().contains("not a directory"), "\(message)")
        #expect(!message.contains("NSCocoaErrorDomain") && !message.contains("could not be completed"))
    }
}
