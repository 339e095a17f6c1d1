import Data
import Foundation
import Testing
import TestSupport

/// The shards depend on the corpus and settings only: not on how many ranks encode them (ranks
/// simulated by threads here; TrainerTests runs `trainer prepare` under mpirun) nor on the piece size.
@Suite(.serialized) struct RankIndependenceTests {
    /// A corpus with files larger than a piece (plain and gzip text) beside smaller ones (JSONL, gzip JSONL, text).
    static let corpus: URL = {
        let root = try! TestDirectory.make("ranks-corpus")
        let works = DataFixtures.works.map(\.text)
        let big = works[0..<14].joined(separator: "\n")  // about 1.7 MB: two pieces of 1 MiB
        try! DataFixtures.write(big, "corpus/big.txt", in: root)
        let lines = works[14..<28].flatMap { $0.split(separator: "\n\n").map { DataFixtures.jsonLine(String($0)) } }
        try! DataFixtures.write(lines.joined(separator: "\n") + "\n", "corpus/lines.jsonl.gz", in: root)
        for (i, work) in works[28..<34].enumerated() { try! DataFixtures.write(work, "corpus/small/\(i).txt", in: root) }
        // About 1.4 MB compressed: more than a piece, so its pieces are spread over the ranks too.
        try! DataFixtures.write(works[0..<34].reversed().joined(separator: "\n"), "corpus/zipped.txt.gz", in: root)
        return root.appendingPathComponent("corpus")
    }()

    static func settings(_ directory: URL, pieceMiB: Int = 1) -> PreparationSettings {
        var settings = PreparationSettings(corpus: corpus.path, directory: directory, vocabSize: 300, valFraction: 0.1)
        settings.pieceBytes = pieceMiB << 20
        settings.shardTokens = 400_000
        settings.tokenizerSampleBytes = 1 << 20
        return settings
    }

    /// Prepares on `ranks` simulated ranks; returns the directory's files.
    static func prepare(ranks: Int, pieceMiB: Int = 1) throws -> [String: Data] {
        let directory = try TestDirectory.make("ranks-\(ranks)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let settings = settings(directory, pieceMiB: pieceMiB)
        let results = ThreadGroupHub(size: ranks).run { group in try DataPreparation.prepare(settings, group: group).trainTokens }
        for result in results { _ = try result.get() }
        return DataFixtures.snapshot(directory)
    }

    @Test func sameShardsAtOneTwoAndThreeRanks() throws {
        let one = try Self.prepare(ranks: 1)
        #expect(one.keys.filter { $0.hasPrefix("train_") }.count >= 3 && one.keys.contains("prepared.json"), "\(one.keys.sorted())")
        for ranks in [2, 3] {
            let other = try Self.prepare(ranks: ranks)
            #expect(other.keys.sorted() == one.keys.sorted())
            for (name, bytes) in one { #expect(other[name] == bytes, "\(name) differs at \(ranks) ranks") }
        }
    }

    @Test func pieceSizeDoesNotChangeTheShards() throws {
        let small = try Self.prepare(ranks: 2, pieceMiB: 1)
        let large = try Self.prepare(ranks: 2, pieceMiB: 64)
        #expect(small.keys.sorted() == large.keys.sorted())
        for (name, bytes) in small where name.hasSuffix(".bin") {
            #expect(large[name] == bytes, "\(name) differs between 1 MiB and 64 MiB pieces")
        }
    }

    @Test func anErrorOnOneRankStopsEveryRankWithItsMessage() throws {
        let root = try TestDirectory.make("ranks-error")
        defer { try? FileManager.default.removeItem(at: root) }
        let good = DataFixtures.works[0].text
        try DataFixtures.write(good, "c/a.txt", in: root)
        let settings = PreparationSettings(corpus: root.appendingPathComponent("c").path, directory: root.appendingPathComponent("out"), vocabSize: 270, valFraction: 0.1)
        _ = try DataPreparation.prepare(settings)
        // The tokenizer exists now, so only the encoding pass reads the new file: piece 0 of file 1 is rank 1's.
        try DataFixtures.write(DataFixtures.jsonLine(good) + "\n{\"title\": \"no text\"}\n", "c/b.jsonl", in: root)
        let results = ThreadGroupHub(size: 2).run { group in try DataPreparation.prepare(settings, group: group).trainTokens }
        for result in results {
            let message = DataFixtures.message { _ = try result.get() }
            #expect(message.contains("b.jsonl:2: no \"text\" field"), "\(message)")
        }
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("out/prepared.json").path))
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("out").path)).contains { $0.hasPrefix(".spill") })
    }
}
