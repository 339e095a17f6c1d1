/// Line numbers for messages about JSONL files, found only when something is wrong: pieces are
/// read from the middle of a file, so the count of lines before them is not known while encoding.
enum CorpusLines {
    /// The 1-based number of the line holding (decompressed) byte `offset` of `file`.
    static func lineNumber(of file: CorpusFile, atOffset offset: Int) throws -> Int {
        let window = try ByteWindow(file: file)
        var lines = 1
        var position = 0
        while position < offset {
            let block = min(offset - position, 1 << 20)
            try window.fill(upTo: position + block)
            let end = min(window.end, offset)
            guard end > position else { break }
            for byte in window.bytes(from: position, to: end) where byte == 0x0A { lines += 1 }
            position = end
            _ = try window.advance(to: position)
        }
        return lines
    }

    /// Calls `body(offset, text)` with the `text` field of each non-blank line of `bytes`, a JSONL
    /// piece starting at byte `offset` of `file`; a bad line is an error naming the file and line.
    static func forEachText(
        in bytes: UnsafeBufferPointer<UInt8>, of file: CorpusFile, offset: Int, scratch: inout [UInt8],
        _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws {
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            let line = UnsafeBufferPointer(rebasing: bytes[start..<end])
            if line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) {
                if let reason = JSONLine.text(of: line, into: &scratch) {
                    let number = (try? lineNumber(of: file, atOffset: offset + start)).map(String.init) ?? "?"
                    throw DataError("\(file.path):\(number): \(reason); fix or remove that line (JSONL needs one {\"text\": \"...\"} object per line)")
                }
                try scratch.withUnsafeBufferPointer { try body(offset + start, $0) }
            }
            start = end + 1
        }
    }
}
