import Foundation

/// One file of a corpus: where it is, how its documents are laid out, and what it looked like when listed.
public struct CorpusFile: Codable, Sendable, Equatable {
    /// How a file holds its documents.
    public enum Format: String, Codable, Sendable {
        /// The whole file is one document.
        case text
        /// One JSON object per line; its `text` field is a document.
        case jsonl
    }

    /// Its path as the user gave it or as found in the corpus folder.
    public var path: String
    /// The name shown in messages and kept in prepared.json: relative to the corpus folder, or the file's own name.
    public var name: String
    /// Text or JSONL.
    public var format: Format
    /// True for gzip-compressed files (`.gz`).
    public var compressed: Bool
    /// Size on disk in bytes.
    public var bytes: Int
    /// Modification time in nanoseconds since 1970, to notice a changed file without reading it.
    public var modified: Int

    /// Reads the size and modification time of `path`; the format follows the name (`.jsonl`, `.gz`).
    public init(path: String, name: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw DataError("cannot read corpus file \(path): \(String(cString: strerror(errno))); check that it exists and is readable")
        }
        self.init(path: path, name: name, bytes: Int(info.st_size), modified: Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec))
    }

    /// A file as listed elsewhere (rank 0 sends its listing to the other ranks).
    init(path: String, name: String, bytes: Int, modified: Int) {
        self.path = path
        self.name = name
        compressed = path.hasSuffix(".gz")
        let base = compressed ? String(path.dropLast(3)) : path
        format = base.hasSuffix(".jsonl") ? .jsonl : .text
        self.bytes = bytes
        self.modified = modified
    }

    /// True when `path` is a regular file (or a link to one).
    private static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The suffixes a corpus folder's files must have to be read; others (README, .md, ...) are skipped.
    public static let folderSuffixes = [".txt", ".jsonl", ".txt.gz", ".jsonl.gz"]

    /// Lists a corpus: a single file (any name; `.jsonl` and `.gz` choose the format), or a folder read
    /// recursively whose `.txt`, `.jsonl` and `.gz` files are taken in name order, subfolders in place.
    public static func list(corpus path: String) throws -> [CorpusFile] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError("corpus \(path) does not exist; set data.corpus to a text or JSONL file (optionally .gz) or a folder of them")
        }
        guard isDirectory.boolValue else {
            return [try CorpusFile(path: path, name: URL(fileURLWithPath: path).lastPathComponent)]
        }
        let root = URL(fileURLWithPath: path)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles]) else {
            throw DataError("cannot list corpus folder \(path); check its permissions")
        }
        var found: [[String]] = []
        for case let url as URL in walker {
            guard folderSuffixes.contains(where: { url.lastPathComponent.hasSuffix($0) }), isRegularFile(url.path) else { continue }
            let parts = url.standardizedFileURL.pathComponents.dropFirst(root.standardizedFileURL.pathComponents.count)
            found.append(Array(parts))
        }
        // Component by component, so that a subfolder's files stay together wherever the folder sorts.
        found.sort { $0.lexicographicallyPrecedes($1) { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) } }
        return try found.map { parts in
            let name = parts.joined(separator: "/")
            return try CorpusFile(path: root.appendingPathComponent(name).path, name: name)
        }
    }
}
