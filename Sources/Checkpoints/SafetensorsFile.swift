import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A safetensors file opened for reading: the header is validated strictly when opening, and tensor
/// bytes are read from a read-only memory map, so loading a large model copies each byte once.
/// Each read gives the map's pages of that tensor back (`MADV_DONTNEED`) once its bytes are copied:
/// touched pages of a file map count in the process's resident size, so without it loading a model
/// held the file's size twice (the copy and the map) and raised the peak by the file's size
/// (issue 26: +474 MiB at GPT-2 124M, the LoRA fine-tune's peak). A later read faults them back in
/// from the page cache. Immutable after `init`, hence shareable across threads; the map lives as
/// long as this object.
public final class SafetensorsFile: @unchecked Sendable {
    /// The file that was opened.
    public let url: URL
    /// Every tensor, in buffer order.
    public let entries: [SafetensorsEntry]
    /// The "__metadata__" map ([:] when absent).
    public let metadata: [String: String]

    private let map: UnsafeRawPointer?
    private let mapLength: Int
    private let dataStart: Int
    private let index: [String: Int]

    /// Tensor names in buffer order.
    public var names: [String] { entries.map(\.name) }

    /// Opens and validates `url`; throws a `SafetensorsError` naming the file for anything malformed.
    public init(url: URL) throws(SafetensorsError) {
        self.url = url
        let path = url.path
        let hint = "check the path"
        let fd: Int32
        do { fd = try POSIX.openFile(path, O_RDONLY | O_CLOEXEC) } catch { throw SafetensorsError(error, hint: hint) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw SafetensorsError(SystemCallError(operation: "stat", path: path, code: errno), hint: hint)
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw SafetensorsError(.io, path: path, "is not a regular file; pass the path of a .safetensors file")
        }
        let fileSize = Int(st.st_size)
        guard fileSize >= 8 else {
            throw SafetensorsError(.truncated, path: path, "file has \(fileSize) bytes, fewer than the 8-byte header length; the file is truncated")
        }
        guard let base = mmap(nil, fileSize, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw SafetensorsError(SystemCallError(operation: "mmap", path: path, code: errno), hint: hint)
        }
        let raw = UnsafeRawPointer(base)
        let rawLength = raw.loadUnaligned(as: UInt64.self).littleEndian
        do throws(SafetensorsError) {
            guard rawLength <= UInt64(SafetensorsHeader.maxHeaderLength) else {
                throw SafetensorsError(.invalidHeader, path: path,
                                       "header length \(rawLength) exceeds the format's limit of \(SafetensorsHeader.maxHeaderLength) bytes; the file is not a safetensors file or is corrupted")
            }
            let headerLength = Int(rawLength)
            guard headerLength <= fileSize - 8 else {
                throw SafetensorsError(.truncated, path: path,
                                       "header length \(headerLength) runs past the end of the \(fileSize)-byte file; the file is truncated or not a safetensors file")
            }
            let header = Array(UnsafeRawBufferPointer(start: raw + 8, count: headerLength))
            let decoded = try SafetensorsHeader.decode(header, bufferLength: fileSize - 8 - headerLength, path: path)
            entries = decoded.entries
            metadata = decoded.metadata
            dataStart = 8 + headerLength
        } catch {
            munmap(base, fileSize)
            throw error
        }
        map = raw
        mapLength = fileSize
        var index: [String: Int] = [:]
        for (i, e) in entries.enumerated() { index[e.name] = i }
        self.index = index
    }

    deinit {
        if let map { munmap(UnsafeMutableRawPointer(mutating: map), mapLength) }
    }

    /// The header entry of `name`, or a `.missingTensor` error listing what the file does hold.
    public func entry(named name: String) throws(SafetensorsError) -> SafetensorsEntry {
        guard let i = index[name] else {
            let known = names.prefix(8).joined(separator: ", ") + (names.count > 8 ? ", ..." : "")
            throw SafetensorsError(.missingTensor, path: url.path, tensor: name, "is not in the file (it holds: \(known))")
        }
        return entries[i]
    }

    /// Calls `body` with the raw bytes of `name`, valid only during the call.
    public func withBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let e = try entry(named: name)
        defer { release(e) }
        return try body(bytes(of: e))
    }

    /// A copy of the dtype, shape and bytes of `name`.
    public func tensor(named name: String) throws(SafetensorsError) -> (dtype: SafetensorsDType, shape: [Int], bytes: Data) {
        let e = try entry(named: name)
        defer { release(e) }
        return (e.dtype, e.shape, Data(bytes(of: e)))
    }

    /// Copies the F32 tensor `name` into `destination`, after checking its dtype, that its shape equals
    /// `shape`, and that `destination` has exactly that many elements.
    public func copyFloats(named name: String, shape: [Int], into destination: UnsafeMutableBufferPointer<Float>) throws(SafetensorsError) {
        let e = try entry(named: name)
        guard e.dtype == .f32 else {
            throw SafetensorsError(.mismatch, path: url.path, tensor: name, "has dtype \(e.dtype.rawValue), expected F32")
        }
        guard e.shape == shape else {
            throw SafetensorsError(.mismatch, path: url.path, tensor: name,
                                   "has shape \(e.shape), expected \(shape); the checkpoint was written for a different model configuration")
        }
        guard destination.count == e.elementCount else {
            throw SafetensorsError(.mismatch, path: url.path, tensor: name,
                                   "has \(e.elementCount) elements but the destination holds \(destination.count)")
        }
        let src = bytes(of: e)
        guard let dst = destination.baseAddress, let s = src.baseAddress, src.count > 0 else { return }
        // memcpy because the file's offsets need not be 4-byte aligned; in chunks whose pages are
        // given back at once, so that even the largest tensor (GPT-2's 147 MiB wte) adds only a
        // chunk to the resident size.
        var done = 0
        while done < src.count {
            let n = min(Self.copyChunkBytes, src.count - done)
            memcpy(UnsafeMutableRawPointer(dst) + done, s + done, n)
            release(offset: s + done - map!, count: n)
            done += n
        }
    }

    /// Bytes `copyFloats` copies between giving the map's pages back.
    static let copyChunkBytes = 8 << 20

    /// A fresh [Float] with the contents of the F32 tensor `name` (convenience for small tensors and tests).
    public func floats(named name: String) throws(SafetensorsError) -> [Float] {
        let e = try entry(named: name)
        var out = [Float](repeating: 0, count: e.dtype == .f32 ? e.elementCount : 0)
        try out.withUnsafeMutableBufferPointer { (buf) throws(SafetensorsError) in try copyFloats(named: name, shape: e.shape, into: buf) }
        return out
    }

    private func bytes(of e: SafetensorsEntry) -> UnsafeRawBufferPointer {
        guard let map else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: map + dataStart + e.dataOffsets.lowerBound, count: e.dataOffsets.count)
    }

    /// Drops the map's resident pages under `e`'s bytes (whole pages, so a neighbour's first or last
    /// page may go too: the map is read-only and private, so any page comes back on the next read).
    private func release(_ e: SafetensorsEntry) {
        release(offset: dataStart + e.dataOffsets.lowerBound, count: e.dataOffsets.count)
    }

    /// Drops the resident pages under bytes `offset..<offset + count` of the file.
    private func release(offset: Int, count: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard let map, count > 0, page > 0 else { return }
        let start = offset / page * page, end = min(mapLength, offset + count)
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: map + start), end - start, MADV_DONTNEED)
    }
}
