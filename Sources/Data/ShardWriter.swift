import Foundation

/// The final shards of one split, written in two steps: rank 0 creates them at full size under
/// temporary names, every rank fills in its pieces at their offsets, then rank 0 renames them.
struct ShardFiles {
    /// "train" or "val".
    let split: String
    /// Tokens in the split.
    let tokens: Int
    /// The most tokens one shard holds.
    let shardTokens: Int
    /// The data directory.
    let directory: URL

    /// The shard names, in order: at least one, even for an empty split.
    var names: [String] {
        let count = max(1, (tokens + shardTokens - 1) / shardTokens)
        return (0..<count).map { "\(split)_" + String(format: "%06d", $0) + ".bin" }
    }

    /// The temporary path a shard is written under until every rank is done.
    func partialPath(_ name: String) -> String {
        directory.appendingPathComponent(".\(name).partial").path
    }

    /// Tokens in shard `index`.
    func count(ofShard index: Int) -> Int {
        max(0, min(shardTokens, tokens - index * shardTokens))
    }

    /// Rank 0: creates every shard at its full size, header written, under its temporary name.
    func create() throws {
        for (index, name) in names.enumerated() {
            let writer = try FileWriter(path: partialPath(name), truncate: true)
            let count = count(ofShard: index)
            var header = [Int32](repeating: 0, count: TokenShard.headerBytes / 4)
            header[0] = TokenShard.magic.littleEndian
            header[1] = TokenShard.version.littleEndian
            header[2] = Int32(count).littleEndian
            try header.withUnsafeBytes { try writer.write($0.baseAddress!, count: $0.count, at: 0) }
            try writer.resize(to: TokenShard.headerBytes + 2 * count)
        }
    }

    /// Rank 0, after every rank has written: flushes each shard and gives it its final name.
    func publish() throws {
        for name in names {
            let partial = partialPath(name)
            try FileWriter(path: partial, truncate: false).sync()
            let target = directory.appendingPathComponent(name).path
            guard rename(partial, target) == 0 else {
                throw DataError("cannot rename \(partial) to \(target): \(String(cString: strerror(errno))); check permissions in \(directory.path)")
            }
        }
    }

    /// Opens the temporary shards for writing tokens at stream positions.
    func writer() throws -> StreamWriter {
        StreamWriter(files: self, writers: try names.map { try FileWriter(path: partialPath($0), truncate: false) })
    }

    /// Writes tokens at positions of a split's stream, across shard boundaries.
    struct StreamWriter {
        let files: ShardFiles
        let writers: [FileWriter]

        /// Writes `tokens` (little-endian UInt16) starting at stream position `position`.
        func write(_ tokens: UnsafeBufferPointer<UInt16>, at position: Int) throws {
            var done = 0
            while done < tokens.count {
                let global = position + done
                let shard = global / files.shardTokens
                let local = global - shard * files.shardTokens
                let take = min(tokens.count - done, files.shardTokens - local)
                guard shard < writers.count else { throw DataError("internal error: token position \(global) is past the \(files.split) shards") }
                try writers[shard].write(UnsafeRawPointer(tokens.baseAddress! + done), count: 2 * take, at: TokenShard.headerBytes + 2 * local)
                done += take
            }
        }
    }
}
