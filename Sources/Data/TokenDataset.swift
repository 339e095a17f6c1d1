import Foundation

/// All shards of one split in a folder (`train_*.bin` or `val_*.bin`, in name order), read as one token sequence.
public final class TokenDataset: Sendable {
    /// The shards, in order.
    public let shards: [TokenShard]
    /// The total number of tokens.
    public let count: Int
    /// Token offset at which each shard starts, plus the total at the end.
    private let offsets: [Int]

    /// Opens every `<split>_*.bin` in `directory`; `split` is "train" or "val".
    public convenience init(directory: URL, split: String) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw DataError("cannot list \(directory.path): \(error.localizedDescription); run `trainer prepare CONFIG` to create the data directory")
        }
        let shardNames = names.filter { $0.hasPrefix(split + "_") && $0.hasSuffix(".bin") }.sorted()
        guard !shardNames.isEmpty else {
            throw DataError("no \(split)_*.bin token shards in \(directory.path); run `trainer prepare CONFIG` to create them")
        }
        try self.init(shards: shardNames.map { try TokenShard(url: directory.appendingPathComponent($0)) })
    }

    /// Presents `shards` as one sequence, in the given order.
    public init(shards: [TokenShard]) throws {
        self.shards = shards
        var offsets = [0]
        for shard in shards { offsets.append(offsets[offsets.count - 1] + shard.count) }
        self.offsets = offsets
        count = offsets[offsets.count - 1]
    }

    /// The token at global position `index` (0..<count).
    public func token(at index: Int) -> Int32 {
        precondition(index >= 0 && index < count, "token index \(index) outside 0..<\(count)")
        let shard = shardIndex(containing: index)
        return Int32(shards[shard].tokens[index - offsets[shard]])
    }

    /// Copies tokens `start..<start+count` into `destination`, crossing shard boundaries as needed.
    public func copy(from start: Int, count n: Int, into destination: UnsafeMutablePointer<Int32>) {
        precondition(start >= 0 && n >= 0 && start + n <= count, "token range \(start)..<\(start + n) outside 0..<\(count)")
        var position = start
        var written = 0
        var shard = n > 0 ? shardIndex(containing: start) : 0
        while written < n {
            let tokens = shards[shard].tokens
            let local = position - offsets[shard]
            let take = min(n - written, tokens.count - local)
            for i in 0..<take {
                destination[written + i] = Int32(tokens[local + i])
            }
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
