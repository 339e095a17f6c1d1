import CZlib
import Foundation

/// Decompresses a gzip file front to back through the system zlib; concatenated members (as
/// `cat a.gz b.gz` or pigz write them) read as one stream. Corrupt or truncated data is an error naming the file.
final class GzipReader {
    private let file: FileReader
    private var stream = z_stream()
    private let input: UnsafeMutablePointer<UInt8>
    private static let inputCapacity = 1 << 18
    /// Compressed bytes read from the file so far (for progress).
    private(set) var compressedOffset = 0
    private var memberEnded = false
    private var finished = false

    /// Opens `path` and starts zlib in gzip mode.
    init(path: String) throws {
        file = try FileReader(path: path)
        input = .allocate(capacity: GzipReader.inputCapacity)
        // 15 + 16: a gzip wrapper (not zlib or raw deflate), with the largest window.
        let status = inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            input.deallocate()
            throw DataError("cannot start zlib for \(path) (status \(status)); the system zlib may be broken")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    /// Decompresses up to `count` bytes into `destination`; returns 0 only at the end of the data.
    func read(into destination: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        guard count > 0, !finished else { return 0 }
        stream.next_out = destination
        stream.avail_out = uInt(min(count, Int(UInt32.max)))
        while stream.avail_out > 0 {
            if stream.avail_in == 0 {
                let n = try file.read(into: input, count: GzipReader.inputCapacity, at: compressedOffset)
                compressedOffset += n
                stream.next_in = input
                stream.avail_in = uInt(n)
                if n == 0 {
                    if memberEnded { finished = true; break }
                    throw problem("the file ends in the middle of the compressed data (truncated)")
                }
            }
            if memberEnded {
                // Another member follows; anything else after a complete member is not gzip data.
                guard stream.next_in[0] == 0x1F else {
                    throw problem("unexpected bytes after the end of the gzip data")
                }
                inflateReset(&stream)
                memberEnded = false
            }
            let status = inflate(&stream, Z_NO_FLUSH)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                break
            case Z_STREAM_END:
                memberEnded = true
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                throw problem("corrupt gzip data (zlib: \(reason))")
            }
        }
        return min(count, Int(UInt32.max)) - Int(stream.avail_out)
    }

    private func problem(_ what: String) -> DataError {
        let at = compressedOffset - Int(stream.avail_in)
        return DataError("\(file.path): \(what) near compressed byte \(at); re-create the file with gzip, or remove it from the corpus")
    }
}
