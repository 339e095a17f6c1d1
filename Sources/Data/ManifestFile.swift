import Foundation

/// prepared.json as read once at start-up: its bytes (the data's identity, hashed across ranks
/// and into checkpoints) and what they say, so that deciding, opening the shards and identifying
/// the data do not each read and decode it again.
struct ManifestFile {
    /// The file's bytes.
    let bytes: Data
    /// The whole record; nil for an older format (the data is then prepared again).
    let manifest: PreparationManifest?
    /// The shard lists, which every format has; nil when the file is not a manifest at all.
    let splits: PreparationManifest.Splits?
    /// Where it was read from, for messages.
    let url: URL

    /// The manifest in `directory`, or nil when there is none.
    static func read(in directory: URL) -> ManifestFile? {
        let url = directory.appendingPathComponent(PreparationManifest.fileName)
        guard let bytes = try? Data(contentsOf: url) else { return nil }
        return ManifestFile(bytes: bytes, manifest: try? JSONDecoder.snakeCase.decode(PreparationManifest.self, from: bytes),
                            splits: try? JSONDecoder.snakeCase.decode(PreparationManifest.Splits.self, from: bytes), url: url)
    }

    /// The shard names of `split` ("train" or "val").
    func shardNames(split: String) throws -> [String] {
        guard let splits else {
            throw DataError("\(url.path) is not a preparation manifest; delete it and prepare the data again")
        }
        return split == "train" ? splits.train.shards : splits.val.shards
    }
}
