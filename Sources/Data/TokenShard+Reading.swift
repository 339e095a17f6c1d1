import Foundation

extension TokenShard {
    /// Tokens read per pread while checking a shard.
    static let checkChunk = 1 << 19

    /// Throws, naming the file, position, token and vocabulary, when a token is `vocabSize` or more.
    /// Reads the shard in 1 MiB chunks with pread, so checking leaves nothing resident.
    func checkTokens(below vocabSize: Int) throws {
        guard vocabSize <= Int(UInt16.max) else { return }
        let limit = UInt16(vocabSize)
        let buffer = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: Self.checkChunk)
        defer { buffer.deallocate() }
        var start = 0
        while start < count {
            let n = min(Self.checkChunk, count - start)
            try readRaw(into: UnsafeMutableRawPointer(buffer.baseAddress!), from: start, count: n)
            if let offset = TokenRange.firstToken(atLeast: limit, in: UnsafeBufferPointer(rebasing: buffer[..<n])) {
                let position = start + offset
                let token = UInt16(littleEndian: buffer[offset])
                throw DataError("token shard \(url.path): token \(token) at position \(position) (byte offset \(TokenShard.headerBytes + 2 * position)) is outside the vocabulary of \(vocabSize) (model.vocab_size); the shard was written for another tokenizer: prepare the data again with this tokenizer, or use the vocab.json/merges.txt and model.vocab_size the shards were made with")
            }
            start += n
        }
    }

    /// Copies tokens `start..<start+count` of this shard into `destination` as Int32, with pread.
    public func read(into destination: UnsafeMutablePointer<Int32>, from start: Int, count n: Int) {
        precondition(start >= 0 && n >= 0 && start + n <= count, "token range \(start)..<\(start + n) outside 0..<\(count) in \(url.path)")
        guard n > 0 else { return }
        withUnsafeTemporaryAllocation(of: UInt16.self, capacity: n) { narrow in
            do {
                try readRaw(into: UnsafeMutableRawPointer(narrow.baseAddress!), from: start, count: n)
            } catch {
                // The shard was checked when opened; a read failing now means the file changed or the disk failed.
                fatalError("\(error)")
            }
            for i in 0..<n { destination[i] = Int32(UInt16(littleEndian: narrow[i])) }
        }
    }

    /// Reads `n` raw tokens from token index `start` into `destination`.
    private func readRaw(into destination: UnsafeMutableRawPointer, from start: Int, count n: Int) throws {
        var done = 0
        let bytes = 2 * n
        let offset = TokenShard.headerBytes + 2 * start
        while done < bytes {
            let got = pread(descriptor, destination + done, bytes - done, off_t(offset + done))
            if got < 0, errno == EINTR { continue }
            guard got > 0 else {
                let reason = got < 0 ? String(cString: strerror(errno)) : "the file is shorter than when it was opened"
                throw DataError("cannot read token shard \(url.path) at byte \(offset + done): \(reason); check the disk, and do not change shards while a run uses them")
            }
            done += got
        }
    }
}
