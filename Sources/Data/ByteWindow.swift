import Foundation

/// A window over a corpus file's (decompressed) bytes that only moves forward: plain files are read
/// at offsets, so skipping ahead costs nothing; gzip files are decompressed front to back.
final class ByteWindow {
    /// The file offset of the window's first byte.
    private(set) var start = 0
    /// Bytes held, from `start`.
    private(set) var count = 0
    /// The file's length once the end has been seen (always known for plain files).
    private(set) var length: Int?
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private let plain: FileReader?
    private let gzip: GzipReader?
    /// The last `lineCut` query and its answer: no newline lies between them.
    private var lastLineCut: (query: Int, answer: Int)?
    private static let block = 1 << 16

    /// Opens `file` with an empty window at offset 0.
    init(file: CorpusFile) throws {
        if file.compressed {
            gzip = try GzipReader(path: file.path)
            plain = nil
        } else {
            plain = try FileReader(path: file.path)
            gzip = nil
            length = file.bytes
        }
        capacity = ByteWindow.block
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    /// The file offset just past the window's last byte.
    var end: Int { start + count }

    /// Compressed bytes consumed so far for gzip files, else the window's end (for progress).
    var diskOffset: Int { gzip?.compressedOffset ?? end }

    /// The byte at file offset `offset`, which must lie inside the window.
    subscript(offset: Int) -> UInt8 { storage[offset - start] }

    /// The window's bytes from file offset `from` to `to` (both inside it); valid until the window changes.
    func bytes(from: Int, to: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: storage + (from - start), count: to - from)
    }

    /// Reads until the window reaches file offset `target` or the end of the file; returns the end reached.
    @discardableResult
    func fill(upTo target: Int) throws -> Int {
        while end < target, length.map({ end < $0 }) ?? true {
            let want = max(ByteWindow.block, min(target - end, 1 << 24))
            reserve(count + want)
            let got: Int
            if let plain {
                got = try plain.read(into: storage + count, count: want, at: end)
            } else {
                got = try gzip!.read(into: storage + count, count: want)
            }
            count += got
            if got < want, gzip != nil { length = end }
            if got == 0 { length = end }
        }
        return end
    }

    /// Drops the bytes before file offset `offset`; moving past the window skips ahead (decompressing
    /// and discarding for gzip files). Returns false when the file ends at or before `offset`.
    func advance(to offset: Int) throws -> Bool {
        if offset > end {
            // Everything held is before `offset`: drop it, keeping the window's place in the file.
            start = plain != nil ? min(offset, length ?? offset) : end
            count = 0
            if gzip != nil {
                while end < offset, length == nil {
                    start = end
                    count = 0
                    try fill(upTo: min(offset, start + (1 << 22)))
                }
            }
        }
        let drop = min(max(0, offset - start), count)
        if drop > 0 {
            memmove(storage, storage + drop, count - drop)
            count -= drop
            start += drop
        }
        if length == nil { try fill(upTo: offset + 1) }
        return offset < length ?? Int.max
    }

    private func reserve(_ needed: Int) {
        guard needed > capacity else { return }
        var grown = capacity
        while grown < needed { grown *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        bigger.update(from: storage, count: count)
        storage.deallocate()
        storage = bigger
        capacity = grown
    }
}

extension ByteWindow {
    /// The first offset at or after `x` that starts a line (or ends the file). Linear in the bytes
    /// it passes, and a query inside the line of the previous answer costs nothing: pieces and
    /// sample slices that fall inside one enormous line do not each scan to its end again.
    /// The bytes it passes are dropped, so the window stays small inside an enormous line.
    func lineCut(atOrAfter x: Int) throws -> Int {
        guard x > 0 else { return 0 }
        if let (query, answer) = lastLineCut, query <= x, x <= answer { return answer }
        var p = x
        while true {
            _ = try advance(to: p - 1)
            if let found = try lineCut(from: p, before: p + ByteWindow.cutSearch) {
                lastLineCut = (x, found)
                return found
            }
            p += ByteWindow.cutSearch
        }
    }

    /// The first line start (or the file's end) at or after `x` and before `x + bytes`, or nil when
    /// the line holding `x` goes on past that.
    func lineCut(atOrAfter x: Int, within bytes: Int) throws -> Int? {
        guard x > 0 else { return 0 }
        if let (query, answer) = lastLineCut, query <= x, x <= answer { return answer < x + bytes ? answer : nil }
        return try lineCut(from: x, before: x + bytes)
    }

    /// A line start p with x <= p < limit (a newline at p - 1, or p the file's end), or nil.
    private func lineCut(from x: Int, before limit: Int) throws -> Int? {
        try fill(upTo: limit)
        let scanEnd = min(end, limit - 1)
        if x - 1 < scanEnd, let hit = memchr(storage + (x - 1 - start), 0x0A, scanEnd - (x - 1)) {
            return start + storage.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
        }
        if let length, length < limit { return length }
        return nil
    }

    /// The first UTF-8 character boundary at or after `x` (at most 3 bytes on), or the file's end:
    /// where a line too long to wait for its end is cut.
    func characterCut(atOrAfter x: Int) throws -> Int {
        try fill(upTo: x + 4)
        if let length, x >= length { return length }
        var p = x
        while p < end - 1, p < x + 3, self[p] & 0xC0 == 0x80 { p += 1 }
        return p
    }
}
