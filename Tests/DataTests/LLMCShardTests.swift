import Data
import Foundation
import Testing
import TestSupport

/// A folder of llm.c shards plus GPT-2-format tokenizer files is used as it is, without prepared.json;
/// every shard is checked (header and every token) when opened.
@Suite struct LLMCShardTests {
    /// A folder as llm.c's fineweb.py leaves it (val shard 0, train shards from 1), with our tokenizer's files.
    static func llmcFolder(_ name: String) throws -> (URL, BPETokenizer) {
        let directory = try TestDirectory.make(name)
        let tokenizer = try BPETrainer.train(texts: [DataFixtures.works[0].text], vocabSize: 300)
        try tokenizer.save(to: directory)
        try TokenShard.write(tokens: tokenizer.encode("So fair and foul a day I have not seen."), to: directory.appendingPathComponent("fineweb_val_000000.bin"))
        try TokenShard.write(tokens: tokenizer.encode("When shall we three meet again"), to: directory.appendingPathComponent("fineweb_train_000002.bin"))
        try TokenShard.write(tokens: tokenizer.encode("In thunder, lightning, or in rain?"), to: directory.appendingPathComponent("fineweb_train_000001.bin"))
        try Data("notes".utf8).write(to: directory.appendingPathComponent("README.md"))
        return (directory, tokenizer)
    }

    @Test func shardsWithoutManifestOpenInNameOrder() throws {
        let (directory, tokenizer) = try Self.llmcFolder("llmc")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(DataPreparation.hasData(in: directory))
        let data = try DataPreparation.open(directory: directory, vocabSize: 300)
        #expect(data.manifest == nil && data.reused && data.trainBytes == nil)
        #expect(data.trainShards.map(\.lastPathComponent) == ["fineweb_train_000001.bin", "fineweb_train_000002.bin"])
        #expect(data.valShards.map(\.lastPathComponent) == ["fineweb_val_000000.bin"])
        let text = tokenizer.decodeString((0..<data.train.count).map { data.train.token(at: $0) })
        #expect(text == "In thunder, lightning, or in rain?When shall we three meet again")
        // Without prepared.json, the data's identity is its shards' names, sizes and times.
        let before = data.identity()
        #expect(String(decoding: before, as: UTF8.self).hasPrefix("fineweb_train_000001.bin "))
        try TokenShard.write(tokens: tokenizer.encode("Fair is foul"), to: directory.appendingPathComponent("fineweb_train_000002.bin"))
        #expect(try DataPreparation.open(directory: directory, vocabSize: 300).identity() != before)
    }

    @Test func tokenOutsideTheVocabularyNamesFilePositionTokenAndVocabulary() throws {
        let (directory, tokenizer) = try Self.llmcFolder("llmc-oov")
        defer { try? FileManager.default.removeItem(at: directory) }
        var tokens = tokenizer.encode(String(repeating: "Fair is foul, and foul is fair. ", count: 200)).map { UInt16($0) }
        tokens[1234] = 50256
        let shard = directory.appendingPathComponent("fineweb_train_000003.bin")
        try TokenShard.write(tokens: tokens, to: shard)
        let message = DataFixtures.message { _ = try DataPreparation.open(directory: directory, vocabSize: 300) }
        #expect(message.contains(shard.path) && message.contains("token 50256 at position 1234") && message.contains("vocabulary of 300"), "\(message)")
        // The same check covers every position: the last token, and the first.
        for position in [tokens.count - 1, 0] {
            var bad = tokens.map { min($0, 299) }
            bad[position] = 300
            try TokenShard.write(tokens: bad, to: shard)
            #expect(DataFixtures.message { _ = try DataPreparation.open(directory: directory, vocabSize: 300) }.contains("token 300 at position \(position) "))
        }
    }

    @Test func missingTokenizerAndAmbiguousNamesAreExplained() throws {
        let (directory, _) = try Self.llmcFolder("llmc-errors")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.moveItem(at: directory.appendingPathComponent("vocab.json"), to: directory.appendingPathComponent("vocab.json.bak"))
        #expect(DataFixtures.message { _ = try DataPreparation.open(directory: directory, vocabSize: 300) }.contains("GPT-2's vocab.json"))
        try FileManager.default.moveItem(at: directory.appendingPathComponent("vocab.json.bak"), to: directory.appendingPathComponent("vocab.json"))
        #expect(DataFixtures.message { _ = try DataPreparation.open(directory: directory, vocabSize: 512) }.contains("set model.vocab_size to 300"))
        try TokenShard.write(tokens: [UInt16(1)], to: directory.appendingPathComponent("train_val_mix.bin"))
        #expect(DataFixtures.message { _ = try DataPreparation.open(directory: directory, vocabSize: 300) }.contains("both \"train\" and \"val\""))
    }

    @Test func preparingIntoAFolderOfForeignShardsIsRefused() throws {
        let (directory, _) = try Self.llmcFolder("llmc-refuse")
        defer { try? FileManager.default.removeItem(at: directory) }
        let corpus = try DataFixtures.write(DataFixtures.works[1].text, "corpus.txt", in: directory.appendingPathComponent("c"))
        let before = DataFixtures.snapshot(directory)
        let settings = PreparationSettings(corpus: corpus.path, directory: directory, vocabSize: 300, valFraction: 0.1)
        #expect(DataFixtures.message { _ = try DataPreparation.prepare(settings) }.contains("trainer did not write"))
        #expect(DataFixtures.snapshot(directory) == before)
    }

    @Test func aShardDeclaringMoreTokensThanItHoldsIsRefused() throws {
        let (directory, _) = try Self.llmcFolder("llmc-size")
        defer { try? FileManager.default.removeItem(at: directory) }
        let shard = directory.appendingPathComponent("fineweb_train_000001.bin")
        var bytes = try Data(contentsOf: shard)
        bytes[8] = 0xFF
        try bytes.write(to: shard)
        let message = DataFixtures.message { _ = try DataPreparation.open(directory: directory, vocabSize: 300) }
        #expect(message.contains(shard.path) && message.contains("truncated or corrupt"), "\(message)")
    }
}
