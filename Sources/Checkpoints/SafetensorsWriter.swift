import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The safetensors file format (https://github.com/huggingface/safetensors): an 8-byte little-endian
/// header length N, N bytes of JSON header padded with spaces to a multiple of 8, then the tensor bytes.
/// Multi-byte values are stored little-endian; like the rest of the program this assumes a little-endian host.
public enum Safetensors {
    /// Writes `tensors` contiguously in the given order, streaming each one's bytes to the file so that a
    /// large model is never copied. `metadata` becomes "__metadata__" (omitted when empty). Python writes
    /// tensors sorted by dtype size (largest first) then name; pass them in that order for identical bytes.
    /// A partially written file is removed on failure. The file is not fsynced; `CheckpointStore` does that.
    public static func write(tensors: [SafetensorsTensor], metadata: [String: String] = [:], to url: URL) throws(SafetensorsError) {
        let path = url.path
        var entries: [SafetensorsEntry] = []
        var names = Set<String>()
        var offset = 0
        for t in tensors {
            guard !t.name.isEmpty, t.name != SafetensorsHeader.metadataKey else {
                throw SafetensorsError(.invalidArgument, path: path, tensor: t.name, "is not a usable tensor name (empty or \"__metadata__\")")
            }
            guard names.insert(t.name).inserted else {
                throw SafetensorsError(.invalidArgument, path: path, tensor: t.name, "is given twice; tensor names must be unique")
            }
            guard let expected = safetensorsByteCount(shape: t.shape, dtype: t.dtype), expected == t.byteCount else {
                throw SafetensorsError(.invalidArgument, path: path, tensor: t.name,
                                       "shape \(t.shape) of \(t.dtype.rawValue) does not match the \(t.byteCount) bytes given")
            }
            entries.append(SafetensorsEntry(name: t.name, dtype: t.dtype, shape: t.shape, dataOffsets: offset..<(offset + t.byteCount)))
            offset += t.byteCount
        }
        var header = SafetensorsHeader.encode(entries: entries, metadata: metadata)
        var length = UInt64(header.count).littleEndian
        let hint = "check that the directory exists and is writable and that the disk has free space"

        let fd: Int32
        do {
            fd = try POSIX.openFile(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC)
        } catch {
            throw SafetensorsError(error, hint: hint)
        }
        do throws(SystemCallError) {
            try withUnsafeBytes(of: &length) { (raw) throws(SystemCallError) in try POSIX.writeAll(fd, raw, path: path) }
            try POSIX.writeAll(fd, header, path: path)
            header = []
            for t in tensors {
                try t.withBytes { (raw) throws(SystemCallError) in try POSIX.writeAll(fd, raw, path: path) }
            }
            try POSIX.closeFile(fd, path: path)
        } catch {
            close(fd)
            unlink(path)
            throw SafetensorsError(error, hint: hint)
        }
    }
}
