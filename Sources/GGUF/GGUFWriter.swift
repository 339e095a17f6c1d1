import Foundation

/// Writes a `GGUFFile` as gguf-py's GGUFWriter lays it out: header, key/values, tensor infos,
/// padding to 32, then each tensor's data padded to 32 (the last one too), little-endian.
public enum GGUFWriter {
    /// The whole file in memory (tests and small models).
    public static func bytes(of file: GGUFFile) throws -> [UInt8] {
        var out: [UInt8] = []
        try emit(file) { out.append(contentsOf: $0) }
        return out
    }

    /// Writes `file` to `url` through a temporary file in the same directory, renamed over `url`
    /// at the end, so a failed export leaves nothing half-written.
    public static func write(_ file: GGUFFile, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary.path) else {
            throw GGUFError("cannot create \(temporary.path): check that \(directory.path) exists and is writable")
        }
        do {
            defer { try? handle.close() }
            try emit(file) { chunk in
                do { try handle.write(contentsOf: Data(chunk)) } catch {
                    throw GGUFError("cannot write \(temporary.path): \(error.localizedDescription); check free space")
                }
            }
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw GGUFError("cannot move \(temporary.path) to \(url.path): \(reason); check the output path")
        }
    }

    /// Passes the file to `sink` in pieces: the header, then one tensor's data at a time, so a
    /// large model is never held twice in memory.
    static func emit(_ file: GGUFFile, sink: ([UInt8]) throws -> Void) throws {
        try sink(file.headerBytes())
        for t in file.tensors {
            let values = try t.values()
            guard values.count == t.elementCount else {
                throw GGUFError("tensor \(t.name): \(values.count) elements for shape \(t.shape); the export's source does not match its layout")
            }
            guard t.type.canStore(rowLength: t.shape.last ?? 1) else {
                throw GGUFError("tensor \(t.name): rows of \(t.shape.last ?? 1) elements cannot be stored as \(t.type.rawValue) (whole blocks of 32 needed)")
            }
            var data: [UInt8] = []
            values.withUnsafeBufferPointer { t.type.encode($0, into: &data) }
            data.append(contentsOf: [UInt8](repeating: 0, count: GGUFFile.padded(data.count) - data.count))
            try sink(data)
        }
    }
}
