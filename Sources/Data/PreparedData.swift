import Foundation

/// The result of `DataPreparation.prepare`: a data directory with its tokenizer, shards and counts.
public struct PreparedData: Sendable {
    /// The directory holding vocab.json, merges.txt, the shards and prepared.json.
    public let directory: URL
    /// The tokenizer the shards were encoded with.
    public let tokenizer: BPETokenizer
    /// What prepared.json records.
    public let manifest: PreparationManifest
    /// True when an up-to-date preparation was found and nothing was recomputed.
    public let reused: Bool

    /// Tokens in the training shards.
    public var trainTokens: Int { manifest.train.tokens }
    /// Tokens in the validation shards.
    public var valTokens: Int { manifest.val.tokens }
    /// UTF-8 bytes of training text.
    public var trainBytes: Int { manifest.train.bytes }
    /// UTF-8 bytes of validation text.
    public var valBytes: Int { manifest.val.bytes }
    /// The training shards' URLs, in order.
    public var trainShards: [URL] { manifest.train.shards.map { directory.appendingPathComponent($0) } }
    /// The validation shards' URLs, in order.
    public var valShards: [URL] { manifest.val.shards.map { directory.appendingPathComponent($0) } }

    /// Bundles a prepared directory's parts.
    public init(directory: URL, tokenizer: BPETokenizer, manifest: PreparationManifest, reused: Bool) {
        self.directory = directory
        self.tokenizer = tokenizer
        self.manifest = manifest
        self.reused = reused
    }
}
