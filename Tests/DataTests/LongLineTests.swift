import Data
import Foundation
import Testing
import TestSupport

/// Corpora whose lines or words are enormous (issue 28, items 4 and 5): the tokenizer's sample stays
/// within its budget (gzip too), and BPE counts a word longer than 1 KiB in chunks.
@Suite struct LongLineTests {
    /// Words of random letters separated by spaces, `bytes` long, seeded.
    static func words(_ bytes: Int, seed: UInt64) -> String {
        var state = seed
        var out = [UInt8]()
        out.reserveCapacity(bytes)
        while out.count < bytes {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            out.append(state >> 60 == 0 ? 0x20 : UInt8(ascii: "a") + UInt8((state >> 33) % 6))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Prepares a one-line JSONL corpus (`name`) with a 256 KiB sample; returns the MB sampled and the data.
    func prepareOneLine(_ name: String, text: String) throws -> (sampledMB: Double, data: PreparedData, root: URL) {
        let root = try TestDirectory.make("longline")
        let corpus = try DataFixtures.write(DataFixtures.jsonLine(text) + "\n", name, in: root)
        var settings = PreparationSettings(corpus: corpus.path, directory: root.appendingPathComponent("prepared"), vocabSize: 300, valFraction: 0.1)
        settings.tokenizerSampleBytes = 256 << 10
        settings.pieceBytes = 1 << 20
        var messages: [String] = []
        let data = try DataPreparation.prepare(settings, progress: .collecting { messages.append($0) })
        let line = try #require(messages.first { $0.hasPrefix("training tokenizer") })
        let mb = try #require(Double(line.split(separator: " ").first { Double($0) != nil }.map(String.init) ?? ""))
        return (mb, data, root)
    }

    @Test(arguments: ["line.jsonl", "line.jsonl.gz"])
    func oneEnormousJSONLLineIsSampledWithinTheBudget(_ name: String) throws {
        let text = Self.words(3 << 20, seed: 7)
        let (sampled, data, root) = try prepareOneLine(name, text: text)
        defer { try? FileManager.default.removeItem(at: root) }
        // The budget is 0.26 MB; a cut waits for a line start at most one 64 KiB slice.
        #expect(sampled > 0.1 && sampled <= 0.4, "sampled \(sampled) MB of a 3 MB line with a 0.26 MB budget")
        // The line is one document, in train or val, and its tokens are the whole document's.
        let documents = DataFixtures.documents(data.train, data.tokenizer) + DataFixtures.documents(data.val, data.tokenizer)
        #expect(documents == [text])
        let tokens = (0..<data.train.count).map { data.train.token(at: $0) } + (0..<data.val.count).map { data.val.token(at: $0) }
        #expect(tokens == [data.tokenizer.endOfText] + data.tokenizer.encode(text))
    }

    @Test func aWordLongerThan1KiBIsCountedInChunks() throws {
        let word = String(repeating: "a", count: 4096)
        // Whole, the word allows 12 merges (a², a⁴, …, a⁴⁰⁹⁶); in 1 KiB chunks only 10 (up to a¹⁰²⁴).
        let tokenizer = try BPETrainer.train(texts: [word], vocabSize: 257 + 10)
        #expect((0..<Int32(tokenizer.vocabSize - 1)).map { tokenizer.bytes(ofToken: $0).count }.max() == 1024)
        #expect(throws: (any Error).self) { try BPETrainer.train(texts: [word], vocabSize: 257 + 12) }
        // Encoding uses the same chunks, so the word is four a¹⁰²⁴ tokens.
        #expect(tokenizer.encode(word).count == 4)
    }

    @Test func chunksEndAtCharacterBoundaries() throws {
        let word = String(repeating: "€", count: 700)  // 2100 bytes, 3 per character: 1024 is mid-character
        let tokenizer = try BPETrainer.train(texts: [word + " " + word], vocabSize: 270)
        #expect(tokenizer.decodeString(tokenizer.encode(word)) == word)
        let chunk = String(repeating: "€", count: 341)  // 1023 bytes: the chunk ends before the 342nd €
        #expect(tokenizer.encode(word) == tokenizer.encode(chunk) + tokenizer.encode(chunk) + tokenizer.encode(String(repeating: "€", count: 18)))
    }
}
