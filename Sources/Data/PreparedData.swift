import Foundation

/// A data directory ready to train on: its tokenizer and its opened, checked shards.
public struct PreparedData: Sendable {
    /// The directory holding vocab.json, merges.txt and the shards (and prepared.json when we prepared it).
    public let directory: URL
    /// The tokenizer the shards were encoded with.
    public let tokenizer: BPETokenizer
    /// What prepared.json records; nil for llm.c shards used as they are.
    public let manifest: PreparationManifest?
    /// prepared.json's bytes as read when the data was opened (the identity of prepared data).
    let manifestBytes: Data?
    /// The training split, every token checked against the vocabulary.
    public let train: TokenDataset
    /// The validation split, every token checked against the vocabulary.
    public let val: TokenDataset
    /// True when nothing was prepared this time (an up-to-date directory, or shards used as they are).
    public let reused: Bool

    /// Tokens in the training shards.
    public var trainTokens: Int { train.count }
    /// Tokens in the validation shards.
    public var valTokens: Int { val.count }
    /// UTF-8 bytes of training text, when prepared.json records it.
    public var trainBytes: Int? { manifest?.train.bytes }
    /// UTF-8 bytes of validation text, when prepared.json records it.
    public var valBytes: Int? { manifest?.val.bytes }
    /// The training shards' URLs, in order.
    public var trainShards: [URL] { train.shards.map(\.url) }
    /// The validation shards' URLs, in order.
    public var valShards: [URL] { val.shards.map(\.url) }

    /// Bytes that change when the data does, for comparing runs (resume, ranks on other hosts):
    /// prepared.json when there is one; for shards used as they are, each shard's name, size and
    /// modification time and the tokenizer files' sizes and times.
    public func identity() -> [UInt8] {
        if manifest != nil, let manifestBytes { return [UInt8](manifestBytes) }
        let files = trainShards + valShards + [BPETokenizer.vocabFileName, BPETokenizer.mergesFileName].map { directory.appendingPathComponent($0) }
        var lines = ""
        for url in files {
            var info = stat()
            let ok = stat(url.path, &info) == 0
            lines += "\(url.lastPathComponent) \(ok ? Int(info.st_size) : -1) \(ok ? Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec) : -1)\n"
        }
        return Array(lines.utf8)
    }

    /// Bundles a data directory's parts.
    public init(directory: URL, tokenizer: BPETokenizer, manifest: PreparationManifest?, manifestBytes: Data? = nil,
                train: TokenDataset, val: TokenDataset, reused: Bool) {
        self.directory = directory
        self.tokenizer = tokenizer
        self.manifest = manifest
        self.manifestBytes = manifestBytes
        self.train = train
        self.val = val
        self.reused = reused
    }
}
