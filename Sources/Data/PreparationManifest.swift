/// The record `prepared.json` keeps of a preparation: what corpus and settings produced which shards.
public struct PreparationManifest: Codable, Sendable, Equatable {
    /// One corpus file as it was when prepared.
    public struct CorpusFile: Codable, Sendable, Equatable {
        /// The file name (relative to the corpus folder, or the corpus file's own name).
        public var name: String
        /// Its size in bytes.
        public var bytes: Int
    }

    /// What one split (train or val) holds.
    public struct Split: Codable, Sendable, Equatable {
        /// Tokens in all its shards, `<|endoftext|>` separators included.
        public var tokens: Int
        /// UTF-8 bytes of the text those tokens spell, separators excluded (the denominator of bits per byte).
        public var bytes: Int
        /// Shard file names in order.
        public var shards: [String]
    }

    /// Bumped when the preparation's output changes meaning, so older outputs are redone.
    public static let currentFormat = 1

    /// The format of this record.
    public var formatVersion: Int
    /// The corpus files, in document order.
    public var corpusFiles: [CorpusFile]
    /// FNV-1a 64 over every file's name, size and contents, in order.
    public var corpusHash: String
    /// The tokenizer's vocabulary size.
    public var vocabSize: Int
    /// The fraction of each document's tokens held out for validation.
    public var valFraction: Double
    /// FNV-1a 64 over vocab.json then merges.txt.
    public var tokenizerHash: String
    /// How many documents the corpus held.
    public var documents: Int
    /// The training split.
    public var train: Split
    /// The validation split.
    public var val: Split
}
