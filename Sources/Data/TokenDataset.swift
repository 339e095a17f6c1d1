import Foundation

/// The shards of one split, read as one token sequence. Every token was checked against the
/// vocabulary when its shard was opened. Reads go through pread, so the process's resident memory
/// does not grow with what it reads (the kernel's page cache, which it may reclaim, holds the pages).
public final class TokenDataset: Sendable {
    /// The shards, in order.
    public let shards: [TokenShard]
    /// The total number of tokens.
    public let count: Int
    /// Token offset at which each shard starts, plus the total at the end.
    private let offsets: [Int]

    /// Opens the `split` ("train" or "val") shards of `directory`: those prepared.json lists, or
    /// without it (llm.c's shards) every `.bin` with the split's name as a word of its name, in name order.
    /// Every token must be below `vocabSize`.
    public convenience init(directory: URL, split: String, vocabSize: Int) throws {
        try self.init(directory: directory, split: split, vocabSize: vocabSize, manifest: ManifestFile.read(in: directory))
    }

    /// As `init(directory:split:vocabSize:)`, with prepared.json already read (nil: there is none).
    convenience init(directory: URL, split: String, vocabSize: Int, manifest: ManifestFile?) throws {
        let names = try manifest?.shardNames(split: split) ?? TokenDataset.llmcShardNames(in: directory, split: split)
        try self.init(shards: names.map { try TokenShard(url: directory.appendingPathComponent($0), vocabSize: vocabSize) })
    }

    /// Presents `shards` as one sequence, in the given order.
    public init(shards: [TokenShard]) throws {
        self.shards = shards
        var offsets = [0]
        for shard in shards { offsets.append(offsets[offsets.count - 1] + shard.count) }
        self.offsets = offsets
        count = offsets[offsets.count - 1]
    }

    /// The shard files of `split` in `directory`, by prepared.json when present, else by llm.c's naming.
    public static func shardNames(in directory: URL, split: String) throws -> [String] {
        try ManifestFile.read(in: directory)?.shardNames(split: split) ?? llmcShardNames(in: directory, split: split)
    }

    /// llm.c's shards of `split`: every `.bin` with the split's name as a word of its name, in name order.
    static func llmcShardNames(in directory: URL, split: String) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw DataError("cannot list \(directory.path): \(FileErrorText.reason(error)); run `trainer prepare CONFIG` to create the data directory")
        }
        let other = split == "train" ? "val" : "train"
        // llm.c names shards like fineweb_train_000001.bin and tiny_shakespeare_val.bin: the split is a word of the name.
        func words(_ name: String) -> [Substring] { name.dropLast(4).split { !$0.isLetter } }
        let matching = names.filter { $0.hasSuffix(".bin") && !$0.hasPrefix(".") && words($0).contains(Substring(split)) }.sorted()
        if let both = matching.first(where: { words($0).contains(Substring(other)) }) {
            throw DataError("\(directory.appendingPathComponent(both).path): the name contains both \"train\" and \"val\", so its split is unclear; rename it")
        }
        guard !matching.isEmpty else {
            throw DataError("no \(split) token shards in \(directory.path) (files named *\(split)*.bin, as llm.c writes them, or a prepared.json); run `trainer prepare CONFIG`, or point data.dir at a folder of llm.c shards")
        }
        return matching
    }

    /// The token at global position `index` (0..<count).
    public func token(at index: Int) -> Int32 {
        precondition(index >= 0 && index < count, "token index \(index) outside 0..<\(count)")
        let shard = shardIndex(containing: index)
        return Int32(UInt16(littleEndian: shards[shard].tokens[index - offsets[shard]]))
    }

    /// Copies tokens `start..<start+count` into `destination`, crossing shard boundaries as needed.
    public func copy(from start: Int, count n: Int, into destination: UnsafeMutablePointer<Int32>) {
        precondition(start >= 0 && n >= 0 && start + n <= count, "token range \(start)..<\(start + n) outside 0..<\(count)")
        var position = start
        var written = 0
        var shard = n > 0 ? shardIndex(containing: start) : 0
        while written < n {
            let local = position - offsets[shard]
            let take = min(n - written, shards[shard].count - local)
            shards[shard].read(into: destination + written, from: local, count: take)
            written += take
            position += take
            shard += 1
        }
    }

    /// The shard holding global position `index`, by binary search over the offsets.
    private func shardIndex(containing index: Int) -> Int {
        var low = 0
        var high = shards.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if offsets[mid] <= index { low = mid } else { high = mid - 1 }
        }
        return low
    }
}
