import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A token shard in llm.c's format: 256 little-endian Int32 of header (magic 20240520, version 1,
/// token count), then UInt16 tokens. Training reads it with pread(2) (`read(into:from:count:)`),
/// which leaves no pages in the process's resident set however much of a large shard it reads;
/// `tokens` maps it for random access by tests and tools.
public final class TokenShard: @unchecked Sendable {
    /// The header's first word.
    public static let magic: Int32 = 20_240_520
    /// The only version with 16-bit tokens.
    public static let version: Int32 = 1
    /// Header size in bytes.
    public static let headerBytes = 256 * 4

    /// The file this shard was read from.
    public let url: URL
    /// The number of tokens in the shard.
    public let count: Int
    /// The tokens, read-only, backed by the mapped file: valid only while this shard is alive
    /// (Swift may release an unused shard early; hold it, or use `withExtendedLifetime`).
    public let tokens: UnsafeBufferPointer<UInt16>
    /// The open file, for pread.
    let descriptor: Int32

    // The mapping is never written, so sharing it between threads is safe (hence @unchecked Sendable).
    private let mapping: UnsafeMutableRawPointer?
    private let mappedLength: Int

    /// Opens `url` and checks its header and size, and with `vocabSize` every token against the
    /// vocabulary (before any kernel can index an embedding with it); errors name the file and the fix.
    public init(url: URL, vocabSize: Int? = nil) throws {
        self.url = url
        let path = url.path
        let fix = "re-run `trainer prepare CONFIG` to rewrite the shards"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw DataError("cannot open token shard \(path): \(String(cString: strerror(errno))); \(fix)")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw DataError("cannot stat token shard \(path): \(String(cString: strerror(errno))); \(fix)")
        }
        let size = Int(info.st_size)
        var header = [Int32](repeating: 0, count: 3)
        let got = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 12, 0) }
        guard size >= TokenShard.headerBytes, got == 12 else {
            close(fd)
            throw DataError("token shard \(path) is \(size) bytes, shorter than its \(TokenShard.headerBytes)-byte header (truncated at byte offset \(size)); \(fix)")
        }
        if let problem = TokenShard.headerProblem(header.map { Int32(littleEndian: $0) }, size: size, path: path) {
            close(fd)
            throw DataError("\(problem); \(fix)")
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            close(fd)
            throw DataError("cannot memory-map token shard \(path): \(String(cString: strerror(errno))); \(fix)")
        }
        descriptor = fd
        mapping = base
        mappedLength = size
        count = Int(Int32(littleEndian: header[2]))
        tokens = UnsafeBufferPointer(start: (base + TokenShard.headerBytes).assumingMemoryBound(to: UInt16.self), count: count)
        if let vocabSize { try checkTokens(below: vocabSize) }
    }

    /// What is wrong with a header of (magic, version, count) for a file of `size` bytes, if anything.
    private static func headerProblem(_ header: [Int32], size: Int, path: String) -> String? {
        let declared = Int(header[2])
        let expectedSize = TokenShard.headerBytes + 2 * max(declared, 0)
        if header[0] != TokenShard.magic {
            return "token shard \(path) has magic \(header[0]) at byte offset 0, expected \(TokenShard.magic): it is not an llm.c token file"
        } else if header[1] != TokenShard.version {
            return "token shard \(path) has version \(header[1]) at byte offset 4, expected \(TokenShard.version) (16-bit tokens)"
        } else if declared < 0 || size != expectedSize {
            return "token shard \(path) is \(size) bytes, but its header (byte offset 8) says \(declared) tokens, which needs \(expectedSize) bytes: the file is truncated or corrupt"
        }
        return nil
    }

    /// The token at `index` (0..<count).
    public subscript(index: Int) -> UInt16 {
        precondition(index >= 0 && index < count, "token index \(index) outside 0..<\(count) in \(url.path)")
        return UInt16(littleEndian: tokens[index])
    }

    deinit {
        if let mapping { munmap(mapping, mappedLength) }
        close(descriptor)
    }

    /// Writes `tokens` as a shard at `url`, via a temporary file in the same folder renamed into place, so a half-written shard never appears.
    public static func write<C: Collection>(tokens: C, to url: URL) throws where C.Element: BinaryInteger {
        guard tokens.count <= Int(Int32.max) else {
            throw DataError("cannot write \(url.path): \(tokens.count) tokens exceed the format's limit of \(Int32.max) per shard; split them into several shards")
        }
        var data = Data(count: headerBytes + 2 * tokens.count)
        var badToken: (Int, String)?
        data.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            let header = base.assumingMemoryBound(to: Int32.self)
            header[0] = magic.littleEndian
            header[1] = version.littleEndian
            header[2] = Int32(tokens.count).littleEndian
            let body = (base + headerBytes).assumingMemoryBound(to: UInt16.self)
            for (i, token) in tokens.enumerated() {
                guard let value = UInt16(exactly: token) else {
                    badToken = (i, "\(token)")
                    return
                }
                body[i] = value.littleEndian
            }
        }
        if let (index, value) = badToken {
            throw DataError("cannot write \(url.path): token \(index) is \(value), outside 0...65535 that 16-bit shards can hold; use a vocab size of at most 65536")
        }
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try data.write(to: temporary)
            // rename(2) replaces the target atomically: readers see the old shard or the new one.
            guard rename(temporary.path, url.path) == 0 else {
                throw DataError("rename failed: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw DataError("cannot write token shard \(url.path): \(FileErrorText.reason(error)); check free space and permissions in \(directory.path)")
        }
    }
}
