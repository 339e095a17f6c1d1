import Foundation

/// What rank 0 decided before a preparation, sent to every rank: whether the directory is up to
/// date and, if not, the files to encode and their roles. Sent as compact bytes rather than JSON,
/// since a corpus can have a million files.
struct PreparationPlan: Equatable {
    var upToDate: Bool
    var files: [CorpusFile]
    var roles: [FileRole]

    /// The plan as bytes: a flag, then per file its role, size, time, name and path.
    func encoded() -> [UInt8] {
        var out: [UInt8] = [upToDate ? 1 : 0]
        func integer(_ value: Int) { Int64Bytes.append(Int64(value), to: &out) }
        func text(_ value: String) {
            integer(value.utf8.count)
            out.append(contentsOf: value.utf8)
        }
        for (file, role) in zip(files, roles) {
            out.append(role == .split ? 0 : role == .train ? 1 : 2)
            integer(file.bytes)
            integer(file.modified)
            text(file.name)
            text(file.path)
        }
        return out
    }

    /// Rebuilds a plan from `encoded()` bytes.
    static func decode(_ bytes: [UInt8]) throws -> PreparationPlan {
        var i = 1
        func integer() throws -> Int {
            guard i + 8 <= bytes.count else { throw DataError("internal error: a truncated preparation plan") }
            defer { i += 8 }
            return Int(Int64Bytes.value(in: bytes, at: i))
        }
        func text() throws -> String {
            let count = try integer()
            guard count >= 0, i + count <= bytes.count else { throw DataError("internal error: a truncated preparation plan") }
            defer { i += count }
            return String(decoding: bytes[i..<(i + count)], as: UTF8.self)
        }
        var plan = PreparationPlan(upToDate: bytes.first == 1, files: [], roles: [])
        while i < bytes.count {
            let role: FileRole = bytes[i] == 0 ? .split : bytes[i] == 1 ? .train : .val
            i += 1
            let size = try integer(), modified = try integer(), name = try text(), path = try text()
            plan.files.append(CorpusFile(path: path, name: name, bytes: size, modified: modified))
            plan.roles.append(role)
        }
        return plan
    }
}

/// Integers as little-endian bytes, for exchanging them between ranks.
enum Int64Bytes {
    /// Appends `value`'s 8 bytes to `bytes`.
    static func append(_ value: Int64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// The integer in the 8 bytes at `offset`.
    static func value(in bytes: [UInt8], at offset: Int) -> Int64 {
        bytes[offset..<(offset + 8)].reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }

    /// All `values` as bytes.
    static func bytes(_ values: [Int64]) -> [UInt8] {
        var out: [UInt8] = []
        for value in values { append(value, to: &out) }
        return out
    }

    /// The integers in `bytes`.
    static func values(_ bytes: [UInt8]) -> [Int64] {
        stride(from: 0, to: bytes.count - 7, by: 8).map { value(in: bytes, at: $0) }
    }
}
