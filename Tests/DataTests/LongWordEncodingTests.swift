import Data
import Foundation
import Testing

/// Long pre-token words (base64, DNA, minified JSON) are encoded with a heap instead of one pass
/// per merge; the tokens must be those of the textbook algorithm: take the lowest-rank pair,
/// merge its occurrences left to right, repeat.
@Suite struct LongWordEncodingTests {
    /// The textbook BPE of one word, from the tokenizer's public merges.
    static func reference(_ word: [UInt8], _ tokenizer: BPETokenizer) -> [Int32] {
        var symbols = word.map { tokenizer.encode(bytes: [$0])[0] }
        var rank: [UInt64: Int] = [:]
        for (r, m) in tokenizer.merges.enumerated() { rank[UInt64(UInt32(m.left)) << 32 | UInt64(UInt32(m.right))] = r }
        while symbols.count > 1 {
            let ranks = (0..<(symbols.count - 1)).map { rank[UInt64(UInt32(symbols[$0])) << 32 | UInt64(UInt32(symbols[$0 + 1]))] ?? Int.max }
            guard let best = ranks.min(), best != Int.max else { break }
            let merge = tokenizer.merges[best], id = Int32(256 + best)
            var out: [Int32] = []
            var i = 0
            while i < symbols.count {
                if i + 1 < symbols.count, symbols[i] == merge.left, symbols[i + 1] == merge.right {
                    out.append(id)
                    i += 2
                } else {
                    out.append(symbols[i])
                    i += 1
                }
            }
            symbols = out
        }
        return symbols
    }

    @Test func longWordsEncodeAsTheTextbookAlgorithm() throws {
        var rng = SplitMix64(seed: 7)
        // Few letters, so that runs ("aaaa") and repeated pairs, where merge order matters, abound.
        func word(_ n: Int, _ alphabet: [UInt8]) -> [UInt8] { (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] } }
        let corpus = (0..<200).map { _ in word(300, Array("aab".utf8)) } + (0..<200).map { _ in word(300, Array("ACGT".utf8)) }
        let tokenizer = try BPETrainer.train(documents: corpus, vocabSize: 400)
        for (n, alphabet) in [(49, "ab"), (200, "aab"), (1000, "ACGT"), (1024, "abcdefghijklmnopqrstuvwxyz"), (700, "a")] {
            let w = word(n, Array(alphabet.utf8))
            #expect(tokenizer.encode(bytes: w) == Self.reference(w, tokenizer), "\(n) letters of \(alphabet)")
        }
    }
}
