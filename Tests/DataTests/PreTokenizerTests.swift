import Data
import Testing

// Expected splits were produced once with Python's `regex` module and GPT-2's pattern:
// regex.findall(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""", text)
@Test(arguments: [
    ("Hello world", ["Hello", " world"]),
    ("I'm  here,\tthey'll   go!!\n\nNew para ",
     ["I", "'m", " ", " here", ",", "\t", "they", "'ll", "  ", " go", "!!", "\n", "\n", "New", " para", " "]),
    ("'sa 'S don't", ["'s", "a", " '", "S", " don", "'t"]),
    ("x1 23abc ½ Ⅻ 3.14", ["x", "1", " 23", "abc", " ½", " Ⅻ", " 3", ".", "14"]),
    ("café  naïve\u{a0}x\u{2028}y\u{1c} z\u{85}w",
     ["café", " ", " naïve", "\u{a0}", "x", "\u{2028}", "y", "\u{1c}", " z", "\u{85}", "w"]),
    ("   ", ["   "]),
    ("a \n\n b", ["a", " \n\n", " b"]),
    ("日本語  😀!? ok", ["日本語", " ", " 😀!?", " ok"]),
    ("", []),
    ("end  ", ["end", "  "]),
])
func splitsLikeGPT2(text: String, expected: [String]) {
    #expect(PreTokenizer.split(text) == expected)
}

@Test func rangesTileArbitraryBytes() {
    var rng = SplitMix64(seed: 7)
    for length in [0, 1, 2, 5, 17, 100, 1000] {
        let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let ranges = PreTokenizer.split(bytes: bytes)
        var position = 0
        for range in ranges {
            #expect(range.lowerBound == position)
            #expect(!range.isEmpty)
            position = range.upperBound
        }
        #expect(position == bytes.count)
    }
}

@Test func invalidUTF8IsPunctuation() {
    // 0xFF and a lone continuation byte are not UTF-8; they group like punctuation.
    let bytes: [UInt8] = Array("ab".utf8) + [0xFF, 0x80] + Array(" cd".utf8) + [0xE2, 0x82]
    let words = PreTokenizer.split(bytes: bytes).map { Array(bytes[$0]) }
    #expect(words == [Array("ab".utf8), [0xFF, 0x80], Array(" cd".utf8), [0xE2, 0x82]])
}
