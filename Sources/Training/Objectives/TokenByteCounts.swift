import Data

extension BPETokenizer {
    /// The number of text bytes each token id spells (0 for <|endoftext|>), for bits per byte.
    var textByteCounts: [Int] {
        (0..<vocabSize).map { id in Int32(id) == endOfText ? 0 : bytes(ofToken: Int32(id)).count }
    }
}
