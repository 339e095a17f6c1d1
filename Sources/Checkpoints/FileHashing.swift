import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streaming SHA-256 of files, so that hashing a large model needs only a small buffer.
enum FileHashing {
    static let chunkSize = 4 << 20

    /// The lowercase hex SHA-256 of the file at `path`; with `sync`, also fsyncs it while it is open.
    static func sha256(path: String, sync: Bool = false) throws(SystemCallError) -> String {
        let fd = try POSIX.openFile(path, O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        var hasher = SHA256()
        while true {
            let n = try POSIX.readSome(fd, into: buffer, path: path)
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        if sync { try POSIX.sync(fd, path: path) }
        return hex(hasher.finalize())
    }

    /// Lowercase hex of `bytes`.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `s` looks like a SHA-256 in lowercase hex.
    static func isDigest(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
