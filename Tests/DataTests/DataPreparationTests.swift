import Data
import Foundation
import Testing

private func makeCorpus(_ files: [String: String]) throws -> (corpus: URL, root: URL) {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("prep-\(UUID().uuidString)")
    let corpus = root.appendingPathComponent("corpus")
    try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
    for (name, text) in files {
        try text.write(to: corpus.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    return (corpus, root)
}

private let works = [
    "a_play.txt": String(repeating: "To be, or not to be, that is the question. ", count: 30),
    "b_poem.txt": String(repeating: "Shall I compare thee to a summer's day? ", count: 20),
    "notes.md": "not a corpus file",
]

@Test func preparesSkipsAndRedoes() throws {
    let (corpus, root) = try makeCorpus(works)
    defer { try? FileManager.default.removeItem(at: root) }
    let directory = root.appendingPathComponent("prepared")
    var messages: [String] = []
    let first = try DataPreparation.prepare(corpus: corpus, directory: directory, vocabSize: 300, valFraction: 0.25) { messages.append($0) }
    #expect(!first.reused)
    #expect(messages.contains { $0.hasPrefix("merges ") })
    #expect(first.manifest?.documents == 2)
    #expect(try CorpusFile.list(corpus: corpus.path).map(\.name) == ["a_play.txt", "b_poem.txt"])
    #expect(first.manifest?.corpus.files == 2)
    #expect((first.trainBytes ?? 0) + (first.valBytes ?? 0) == works["a_play.txt"]!.utf8.count + works["b_poem.txt"]!.utf8.count)
    for name in ["vocab.json", "merges.txt", "prepared.json", "train_000000.bin", "val_000000.bin"] {
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path))
    }

    try expectSplitsSpellTheCorpus(first, directory: directory)
    // The data's identity is prepared.json as read when the data was opened.
    let manifestBytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent("prepared.json")))
    #expect(first.identity() == manifestBytes)

    messages = []
    let second = try DataPreparation.prepare(corpus: corpus, directory: directory, vocabSize: 300, valFraction: 0.25) { messages.append($0) }
    #expect(second.reused)
    #expect(second.manifest == first.manifest)
    #expect(second.identity() == manifestBytes)
    #expect(!messages.contains { $0.hasPrefix("merges ") })

    // A changed corpus is prepared again, with the tokenizer already in the directory.
    try "Once more unto the breach, dear friends.".write(to: corpus.appendingPathComponent("c_more.txt"), atomically: true, encoding: .utf8)
    let third = try DataPreparation.prepare(corpus: corpus, directory: directory, vocabSize: 300, valFraction: 0.25)
    #expect(!third.reused)
    #expect(third.manifest?.documents == 3)
    #expect(third.tokenizer.merges == first.tokenizer.merges)

    // So is a changed val fraction.
    let fourth = try DataPreparation.prepare(corpus: corpus, directory: directory, vocabSize: 300, valFraction: 0.1)
    #expect(!fourth.reused && fourth.valTokens < third.valTokens)

    // A missing shard forces the work again.
    try FileManager.default.removeItem(at: directory.appendingPathComponent("val_000000.bin"))
    #expect(try !DataPreparation.prepare(corpus: corpus, directory: directory, vocabSize: 300, valFraction: 0.1).reused)

    // A different vocab size against an existing tokenizer is an error that says how to fix it.
    do {
        _ = try DataPreparation.prepare(corpus: corpus, directory: directory, vocabSize: 400, valFraction: 0.1)
        Issue.record("expected a vocab size error")
    } catch let error as DataError {
        #expect(error.message.contains("300") && error.message.contains("400") && error.message.contains("delete"))
    }
}

/// Train and val hold every document, each started by <|endoftext|>, and together spell the corpus.
private func expectSplitsSpellTheCorpus(_ first: PreparedData, directory: URL) throws {
    let train = try TokenDataset(directory: directory, split: "train", vocabSize: 300)
    let val = try TokenDataset(directory: directory, split: "val", vocabSize: 300)
    #expect(train.count == first.trainTokens && val.count == first.valTokens)
    let eot = first.tokenizer.endOfText
    let trainTokens = (0..<train.count).map { train.token(at: $0) }
    let valTokens = (0..<val.count).map { val.token(at: $0) }
    #expect(trainTokens.filter { $0 == eot }.count == 2 && trainTokens.first == eot)
    #expect(valTokens.filter { $0 == eot }.count == 2 && valTokens.first == eot)
    let trainParts = trainTokens.split(separator: eot, omittingEmptySubsequences: false).dropFirst()
    let valParts = valTokens.split(separator: eot, omittingEmptySubsequences: false).dropFirst()
    for ((trainPart, valPart), name) in zip(zip(trainParts, valParts), ["a_play.txt", "b_poem.txt"]) {
        #expect(first.tokenizer.decodeString(trainPart) + first.tokenizer.decodeString(valPart) == works[name]!)
        let fraction = Double(valPart.count) / Double(trainPart.count + valPart.count)
        #expect(abs(fraction - 0.25) < 0.05)
    }
}

@Test func singleFileCorpus() throws {
    let (corpus, root) = try makeCorpus(["only.txt": String(repeating: "hello world ", count: 50)])
    defer { try? FileManager.default.removeItem(at: root) }
    let prepared = try DataPreparation.prepare(
        corpus: corpus.appendingPathComponent("only.txt"), directory: root.appendingPathComponent("p"), vocabSize: 260, valFraction: 0)
    #expect(prepared.valTokens == 0 && prepared.valBytes == 0)
    #expect(prepared.trainBytes == 600)
}

@Test func badSettingsAreErrors() throws {
    let (corpus, root) = try makeCorpus(["a.txt": "some text here"])
    defer { try? FileManager.default.removeItem(at: root) }
    let directory = root.appendingPathComponent("p")
    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch let error as DataError { return error.message } catch { return "\(error)" }
        return ""
    }
    #expect(message { _ = try DataPreparation.prepare(corpus: corpus, directory: directory, vocabSize: 256, valFraction: 0.1) }.contains("257"))
    #expect(message { _ = try DataPreparation.prepare(corpus: corpus, directory: directory, vocabSize: 70000, valFraction: 0.1) }.contains("65536"))
    #expect(message { _ = try DataPreparation.prepare(corpus: corpus, directory: directory, vocabSize: 260, valFraction: 1) }.contains("val"))
    #expect(message { _ = try DataPreparation.prepare(corpus: corpus, directory: directory, vocabSize: 260, valFraction: -0.1) }.contains("val"))
    let missing = root.appendingPathComponent("nope")
    #expect(message { _ = try DataPreparation.prepare(corpus: missing, directory: directory, vocabSize: 260, valFraction: 0.1) }.contains(missing.path))
    let empty = root.appendingPathComponent("empty")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    #expect(message { _ = try DataPreparation.prepare(corpus: empty, directory: directory, vocabSize: 260, valFraction: 0.1) }.contains("empty"))
}

@Test func aTouchedCorpusFileIsPreparedAgainWithoutReadingTheCorpusOtherwise() throws {
    let (corpus, root) = try makeCorpus(works)
    defer { try? FileManager.default.removeItem(at: root) }
    let directory = root.appendingPathComponent("prepared")
    #expect(try !DataPreparation.prepare(corpus: corpus, directory: directory, vocabSize: 300, valFraction: 0.25).reused)
    #expect(try DataPreparation.prepare(corpus: corpus, directory: directory, vocabSize: 300, valFraction: 0.25).reused)
    // Same size, new modification time: prepared.json no longer describes the corpus.
    let file = corpus.appendingPathComponent("a_play.txt")
    try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: file.path)
    #expect(try !DataPreparation.prepare(corpus: corpus, directory: directory, vocabSize: 300, valFraction: 0.25).reused)
}

@Test func theTokenizerTrainsOnABoundedDeterministicSample() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("sample-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let corpus = root.appendingPathComponent("corpus.txt")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    try DataFixtures.works.map(\.text).joined(separator: "\n").write(to: corpus, atomically: true, encoding: .utf8)
    var tokenizers: [Data] = []
    for run in 0..<2 {
        var settings = PreparationSettings(corpus: corpus.path, directory: root.appendingPathComponent("p\(run)"), vocabSize: 400, valFraction: 0.1)
        settings.tokenizerSampleBytes = 1 << 20
        var messages: [String] = []
        let data = try DataPreparation.prepare(settings, progress: .collecting { messages.append($0) })
        let note = messages.first { $0.hasPrefix("training tokenizer") } ?? ""
        // 16 slices of 64 KiB, each ending at the first clean cut after it: just over 1 MiB of the 5 MB corpus.
        #expect(note.contains("on 1.0 MB") || note.contains("on 1.1 MB"), "\(note)")
        #expect(data.trainTokens > 1_000_000)
        tokenizers.append(try Data(contentsOf: data.directory.appendingPathComponent("merges.txt")))
    }
    #expect(tokenizers[0] == tokenizers[1])
}
