import Foundation

/// The text of a file given to `trainer eval --data`: its bytes, or for a `.gz` file the
/// decompressed bytes — scoring compressed bytes as text would print a meaningless loss.
public enum EvaluationText {
    /// The most text read for an evaluation (decompressed), so a small gzip cannot fill memory.
    public static let maximumBytes = 1 << 30

    /// Reads `path` (decompressing `.gz`); a missing file, a directory, an unreadable or corrupt
    /// file, or text over `maximumBytes` is a `DataError` naming the path and the fix.
    public static func read(path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError("\(path): no such file; pass an existing text file (or .gz) to --data")
        }
        guard !isDirectory.boolValue else { throw DataError("\(path) is a directory; pass one text file (or .gz) to --data") }
        var text: [UInt8] = []
        let block = 1 << 20
        var chunk = [UInt8](repeating: 0, count: block)
        if path.hasSuffix(".gz") {
            let gzip = try GzipReader(path: path)
            while true {
                let n = try chunk.withUnsafeMutableBufferPointer { try gzip.read(into: $0.baseAddress!, count: block) }
                if n == 0 { break }
                text.append(contentsOf: chunk[..<n])
                try checkSize(text.count, path)
            }
        } else {
            let file = try FileReader(path: path)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try file.read(into: $0.baseAddress!, count: block, at: text.count) }
                if n == 0 { break }
                text.append(contentsOf: chunk[..<n])
                try checkSize(text.count, path)
            }
        }
        return text
    }

    private static func checkSize(_ count: Int, _ path: String) throws {
        guard count <= maximumBytes else {
            throw DataError("\(path) holds more than \(maximumBytes >> 20) MiB of text; evaluate a smaller sample of it")
        }
    }
}
