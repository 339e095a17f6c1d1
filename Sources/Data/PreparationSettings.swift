import Foundation

/// What a preparation reads, where it writes, and the limits it keeps to.
public struct PreparationSettings: Sendable, Equatable {
    /// The corpus: a text or JSONL file (optionally .gz) or a folder of them.
    public var corpus: String
    /// A separate validation corpus; empty to hold out `valFraction` of the corpus instead.
    public var valCorpus = ""
    /// The data directory: tokenizer, shards and prepared.json.
    public var directory: URL
    /// The tokenizer's vocabulary size (`model.vocab_size`).
    public var vocabSize: Int
    /// The share of each text document's tokens, or of a JSONL file's documents, held out for validation.
    public var valFraction: Double
    /// The most bytes of corpus text the tokenizer is trained on.
    public var tokenizerSampleBytes = 64 << 20
    /// Corpus bytes each rank encodes at a time; memory per rank is a small multiple of it.
    public var pieceBytes = 4 << 20
    /// A JSONL line longer than this is not held whole: its "text" string is decoded and encoded
    /// as it is read (`LongJSONLine`), so memory stays bounded whatever a line's length.
    public var longLineBytes = 1 << 20
    /// The most tokens in one shard (llm.c's convention), well under the format's Int32 count.
    public var shardTokens = 100_000_000

    /// Settings with the defaults above.
    public init(corpus: String, directory: URL, vocabSize: Int, valFraction: Double) {
        self.corpus = corpus
        self.directory = directory
        self.vocabSize = vocabSize
        self.valFraction = valFraction
    }

    /// Throws when a setting is out of range, naming the config field and a good value.
    func check() throws {
        guard vocabSize >= 257, vocabSize <= 65536 else {
            throw DataError("vocab size \(vocabSize) is outside 257...65536: it needs 256 byte tokens plus <|endoftext|>, and shards store 16-bit tokens; set model.vocab_size in that range")
        }
        guard valFraction >= 0, valFraction < 1 else {
            throw DataError("val fraction \(valFraction) is outside [0, 1); set data.val_fraction to e.g. 0.1")
        }
        guard pieceBytes >= 1 << 20 else {
            throw DataError("prepare chunk of \(pieceBytes) bytes is below 1 MiB; set data.prepare_chunk_mb to at least 1 (default 4)")
        }
        guard tokenizerSampleBytes >= 1 << 16 else {
            throw DataError("tokenizer sample of \(tokenizerSampleBytes) bytes is below 64 KiB; set data.tokenizer_sample_mb to at least 1 (default 64)")
        }
        guard longLineBytes >= 1 << 12 else {
            throw DataError("long-line bound of \(longLineBytes) bytes is below 4 KiB")
        }
        guard shardTokens > 0, shardTokens <= Int(Int32.max) else {
            throw DataError("shard size \(shardTokens) tokens is outside 1...\(Int32.max)")
        }
    }
}
