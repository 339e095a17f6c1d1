import Data
import Foundation
import Testing

/// BPE training holds at most 2 MiB of distinct words (issue 28, item 4: flat memory): text that
/// never repeats a 1 KiB chunk stops adding symbols there, and words already known go on counting.
@Suite struct DistinctBudgetTests {
    /// `bytes` random letters a–z (one word), seeded.
    static func letters(_ bytes: Int, seed: UInt64) -> String {
        var state = seed
        return String(decoding: (0..<bytes).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(ascii: "a") + UInt8((state >> 33) % 26)
        }, as: UTF8.self)
    }

    @Test func newWordsPastTheBudgetAreSkippedAndKnownOnesStillCount() throws {
        let known = Self.letters(2 << 20, seed: 1), fresh = Self.letters(1 << 20, seed: 2)
        var messages: [String] = []
        let tokenizer = try BPETrainer.train(texts: [known, fresh, known], vocabSize: 300) { messages.append($0) }
        // 5 MiB in 1 KiB chunks: 5120 words; the first 2048 fill the budget, the 1024 fresh ones are
        // skipped, the second copy's 2048 are counted again (each known chunk has frequency 2).
        let counted = try #require(messages.first { $0.hasPrefix("counted") })
        #expect(counted.hasPrefix("counted 5120 words, 2048 distinct (1024 occurrences of new words past the 2048 KiB budget"), "\(counted)")
        #expect(tokenizer.vocabSize == 300)
        // Text that fits the budget trains exactly as before: the budget changes nothing there.
        let small = Self.letters(64 << 10, seed: 3)
        var smallMessages: [String] = []
        _ = try BPETrainer.train(texts: [small, small], vocabSize: 300) { smallMessages.append($0) }
        #expect(smallMessages.first == "counted 128 words, 64 distinct")
    }
}
