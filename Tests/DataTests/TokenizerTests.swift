import Data
import Foundation
import Testing

private let tinyCorpus = [
    "the cat sat on the mat. the cat ate the rat.",
    "that hat is the hat that the cat sat on!",
]

// Enough text for a few dozen merges.
private let smallCorpus = tinyCorpus + [
    "Shall I compare thee to a summer's day? Thou art more lovely and more temperate:",
    "Rough winds do shake the darling buds of May, and summer's lease hath all too short a date;",
    "Sometime too hot the eye of heaven shines, and often is his gold complexion dimm'd;",
]

@Test func knownMergesOnTinyCorpus() throws {
    let tokenizer = try BPETrainer.train(texts: tinyCorpus, vocabSize: 257 + 6)
    let spelled = tokenizer.merges.map {
        ByteEncoder.encode(tokenizer.bytes(ofToken: $0.left)) + " " + ByteEncoder.encode(tokenizer.bytes(ofToken: $0.right))
    }
    // From a plain Python BPE with the same rule (most frequent pair, ties to the lowest ids):
    // counts 12, 8, 6, 5, 3, 3; "c at" beats "Ġ c" on the tie because "c" (66) < "Ġ" (220).
    #expect(spelled == ["a t", "t h", "Ġ th", "Ġth e", "c at", "Ġ cat"])
    #expect(tokenizer.vocabSize == 263)
    #expect(tokenizer.endOfText == 262)
    #expect(tokenizer.encode(" the cat") == [256 + 3, 256 + 5])
}

@Test func idLayoutFollowsGPT2() throws {
    let tokenizer = try BPETrainer.train(texts: tinyCorpus, vocabSize: 270)
    // GPT-2's vocab.json starts "!": 0, "\"": 1 ... and maps the space byte to "Ġ" (id 220).
    #expect(tokenizer.bytes(ofToken: 0) == [UInt8(ascii: "!")])
    #expect(tokenizer.bytes(ofToken: 220) == [0x20])
    #expect(ByteEncoder.encode([0x20]) == "Ġ")
    #expect(ByteEncoder.encode([0x0A]) == "Ċ")
    #expect(tokenizer.bytes(ofToken: 269) == Array("<|endoftext|>".utf8))
    for (rank, merge) in tokenizer.merges.enumerated() {
        #expect(tokenizer.bytes(ofToken: Int32(256 + rank)) == tokenizer.bytes(ofToken: merge.left) + tokenizer.bytes(ofToken: merge.right))
    }
}

@Test func trainingIsDeterministic() throws {
    let a = try BPETrainer.train(texts: tinyCorpus, vocabSize: 280)
    let b = try BPETrainer.train(texts: tinyCorpus, vocabSize: 280)
    #expect(a.merges == b.merges)
}

@Test func roundTripsRandomBytes() throws {
    let tokenizer = try BPETrainer.train(texts: smallCorpus, vocabSize: 290)
    var rng = SplitMix64(seed: 42)
    #expect(tokenizer.encode(bytes: []) == [])
    #expect(tokenizer.decode([Int32]()) == [])
    for _ in 0..<300 {
        let length = Int.random(in: 0...64, using: &rng)
        let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
        #expect(tokenizer.decode(tokenizer.encode(bytes: bytes)) == bytes)
        #expect(tokenizer.decode(tokenizer.encode(bytes: bytes, allowSpecial: true)) == bytes)
    }
    let text = "the cat 🐈 sat\u{0} on ĠĊ the mat\r\n\t  "
    #expect(tokenizer.decodeString(tokenizer.encode(text)) == text)
}

@Test func mergesShortenCommonText() throws {
    let tokenizer = try BPETrainer.train(texts: smallCorpus, vocabSize: 300)
    let tokens = tokenizer.encode("the cat sat on the mat")
    #expect(tokens.count < "the cat sat on the mat".utf8.count / 2)
}

@Test func specialTokenOnlyWhenAllowed() throws {
    let tokenizer = try BPETrainer.train(texts: tinyCorpus, vocabSize: 270)
    let text = "the cat<|endoftext|>the hat"
    #expect(!tokenizer.encode(text).contains(tokenizer.endOfText))
    let special = tokenizer.encode(text, allowSpecial: true)
    #expect(special.filter { $0 == tokenizer.endOfText }.count == 1)
    #expect(tokenizer.decodeString(special) == text)
    #expect(tokenizer.decodeString(tokenizer.encode(text)) == text)
}

@Test func outOfRangeIdsDecodeToReplacement() throws {
    let tokenizer = try BPETrainer.train(texts: tinyCorpus, vocabSize: 260)
    #expect(tokenizer.decode([-1, 99999]) == [0xEF, 0xBF, 0xBD, 0xEF, 0xBF, 0xBD])
}

@Test func saveAndLoadKeepEverything() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tok-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let tokenizer = try BPETrainer.train(texts: smallCorpus + ["\"quoted\\back\" \u{0}\u{7f}"], vocabSize: 300)
    try tokenizer.save(to: directory)
    let merges = try String(contentsOf: directory.appendingPathComponent("merges.txt"), encoding: .utf8)
    #expect(merges.hasPrefix("#version: 0.2\n"))
    #expect(merges.hasSuffix("\n"))
    let loaded = try BPETokenizer.load(from: directory)
    #expect(loaded.vocabSize == tokenizer.vocabSize)
    #expect(loaded.endOfText == tokenizer.endOfText)
    #expect(loaded.merges == tokenizer.merges)
    for id in 0..<Int32(tokenizer.vocabSize) {
        #expect(loaded.bytes(ofToken: id) == tokenizer.bytes(ofToken: id))
    }
    let sample = "that cat sat on the hat<|endoftext|>"
    #expect(loaded.encode(sample, allowSpecial: true) == tokenizer.encode(sample, allowSpecial: true))
    // vocab.json must be a plain JSON object of token -> id.
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("vocab.json")))
    #expect((json as? [String: Int])?["<|endoftext|>"] == tokenizer.vocabSize - 1)
}

@Test func loadRejectsMismatchedFiles() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tok-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let tokenizer = try BPETrainer.train(texts: tinyCorpus, vocabSize: 270)
    try tokenizer.save(to: directory)
    let mergesURL = directory.appendingPathComponent("merges.txt")
    try "#version: 0.2\na t\nqq zz\n".write(to: mergesURL, atomically: true, encoding: .utf8)
    do {
        _ = try BPETokenizer.load(from: directory)
        Issue.record("expected an error")
    } catch let error as DataError {
        #expect(error.message.contains("merges.txt line 3"))
    }
    do {
        _ = try BPETokenizer.load(from: directory.appendingPathComponent("missing"))
        Issue.record("expected an error")
    } catch let error as DataError {
        #expect(error.message.contains("missing"))
    }
}

@Test func tooSmallCorpusIsAnError() {
    #expect(throws: DataError.self) { try BPETrainer.train(texts: ["ab"], vocabSize: 300) }
    #expect(throws: DataError.self) { try BPETrainer.train(texts: ["ab"], vocabSize: 256) }
}
