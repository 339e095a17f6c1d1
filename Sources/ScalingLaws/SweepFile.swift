import Foundation

/// A problem with a sweep file, reported as one line naming the file, the field and the fix.
public struct SweepFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The sweep file's path.
    public let source: String
    /// What is wrong (naming the field) and how to fix it.
    public let message: String

    /// An error in `source`.
    public init(_ source: String, _ message: String) {
        self.source = source
        self.message = message
    }

    public var description: String { "\(source): \(message)" }
}

/// Reads sweep files strictly: malformed JSON, unknown keys, wrong types and invalid values are
/// each one `SweepFileError`.
public enum SweepFile {
    /// Loads, decodes and validates the sweep file at `path`.
    public static func load(path: String) throws(SweepFileError) -> SweepSpec {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw SweepFileError(path, exists ? "cannot read the sweep file; check its permissions"
                : "sweep file not found; pass an existing file such as configs/sweep-shakespeare.json")
        }
        return try decode(bytes, source: path)
    }

    /// Decodes and validates sweep-file bytes, naming `source` in messages.
    public static func decode(_ bytes: Data, source: String) throws(SweepFileError) -> SweepSpec {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: bytes)
        } catch {
            throw SweepFileError(source, "malformed JSON; fix the syntax, e.g. with `python3 -m json.tool \(source)`")
        }
        guard let top = object as? [String: Any] else {
            throw SweepFileError(source, "the top level must be a JSON object such as {\"base\": ..., \"shapes\": [...]}")
        }
        try checkKeys(top, known: SweepSpec.CodingKeys.allCases.map(\.rawValue), at: "", source: source)
        for (i, shape) in (top["shapes"] as? [Any] ?? []).enumerated() {
            guard let shape = shape as? [String: Any] else {
                throw SweepFileError(source, "`shapes[\(i)]` must be an object such as {\"depth\": 2, \"width\": 64}")
            }
            try checkKeys(shape, known: ModelShape.CodingKeys.allCases.map(\.rawValue), at: "shapes[\(i)].", source: source)
        }
        if let heldOut = top["held_out"] as? [String: Any] {
            try checkKeys(heldOut, known: HeldOutCell.CodingKeys.allCases.map(\.rawValue), at: "held_out.", source: source)
        }
        let spec: SweepSpec
        do {
            spec = try JSONDecoder().decode(SweepSpec.self, from: bytes)
        } catch let error as DecodingError {
            throw describe(error, source: source)
        } catch {
            throw SweepFileError(source, "cannot decode the sweep file: \(error)")
        }
        try spec.validate(source: source)
        return spec
    }

    // A key the spec does not know is a typo or a stale name: refuse it rather than ignore it.
    private static func checkKeys(_ object: [String: Any], known: [String], at prefix: String, source: String) throws(SweepFileError) {
        for key in object.keys.sorted() where !known.contains(key) {
            throw SweepFileError(source, "unknown key `\(prefix)\(key)`; known keys here are: \(known.sorted().joined(separator: ", "))")
        }
    }

    private static func describe(_ error: DecodingError, source: String) -> SweepFileError {
        func field(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case .typeMismatch(let type, let context):
            return SweepFileError(source, "`\(field(context.codingPath))` has the wrong type; expected \(typeName(type))")
        case .valueNotFound(let type, let context):
            return SweepFileError(source, "`\(field(context.codingPath))` is null; expected \(typeName(type))")
        case .keyNotFound(let key, let context):
            return SweepFileError(source, "missing `\(field(context.codingPath + [key]))`; see configs/sweep-tiny.json for a complete example")
        case .dataCorrupted(let context):
            let at = context.codingPath.isEmpty ? "a value" : "`\(field(context.codingPath))`"
            return SweepFileError(source, "\(at) is invalid (\(context.debugDescription)); see configs/sweep-tiny.json for valid values")
        @unknown default:
            return SweepFileError(source, "cannot decode the sweep file: \(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: "a whole number"
        case is Double.Type: "a number"
        case is String.Type: "a string"
        case is [Double].Type: "a list of numbers"
        case is [String].Type: "a list of strings"
        default: "\(type)"
        }
    }
}
