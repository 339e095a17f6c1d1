/// One tensor's entry in a safetensors header.
public struct SafetensorsEntry: Sendable, Equatable {
    /// The header key.
    public let name: String
    /// The element type.
    public let dtype: SafetensorsDType
    /// Dimensions, outermost first; [] is a scalar.
    public let shape: [Int]
    /// Byte range inside the data buffer that follows the header.
    public let dataOffsets: Range<Int>

    /// The number of elements (product of `shape`).
    public var elementCount: Int { dataOffsets.count / dtype.size }
}

/// Encoding and strict decoding of the JSON header, shared by the writer and the reader.
enum SafetensorsHeader {
    /// The reference implementation refuses headers above 100 MB; so does this one, before allocating.
    static let maxHeaderLength = 100_000_000
    static let metadataKey = "__metadata__"

    /// Serializes the header exactly as Python's safetensors (serde_json, compact) does:
    /// "__metadata__" first (keys sorted here; Rust uses a HashMap, so Python's order varies for
    /// more than one key), then tensors in buffer order, padded with spaces to a multiple of 8.
    static func encode(entries: [SafetensorsEntry], metadata: [String: String]) -> [UInt8] {
        var out: [UInt8] = []
        out.append(UInt8(ascii: "{"))
        var first = true
        func comma() { if !first { out.append(UInt8(ascii: ",")) }; first = false }
        if !metadata.isEmpty {
            comma()
            appendString(metadataKey, to: &out)
            out.append(contentsOf: Array(":{".utf8))
            for (k, (key, value)) in metadata.sorted(by: { $0.key < $1.key }).enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                appendString(value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        for e in entries {
            comma()
            appendString(e.name, to: &out)
            let shape = e.shape.map(String.init).joined(separator: ",")
            let entry = ":{\"dtype\":\"\(e.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(e.dataOffsets.lowerBound),\(e.dataOffsets.upperBound)]}"
            out.append(contentsOf: Array(entry.utf8))
        }
        out.append(UInt8(ascii: "}"))
        while out.count % 8 != 0 { out.append(UInt8(ascii: " ")) }
        return out
    }

    /// serde_json's escaping: quote, backslash and control characters; everything else verbatim UTF-8.
    private static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Parses and validates a header against a data buffer of `bufferLength` bytes: every entry
    /// well-typed, byte length = shape product × dtype size, and the ranges tiling the buffer exactly.
    static func decode(_ bytes: [UInt8], bufferLength: Int, path: String)
        throws(SafetensorsError) -> (entries: [SafetensorsEntry], metadata: [String: String])
    {
        func bad(_ tensor: String?, _ why: String) -> SafetensorsError {
            SafetensorsError(.invalidHeader, path: path, tensor: tensor, why + "; the file is not a valid safetensors file")
        }
        let root: HeaderJSON
        do {
            root = try HeaderJSONParser.parse(bytes)
        } catch {
            throw bad(nil, "header is not well-formed JSON (byte \(error.offset) of the header: \(error.message))")
        }
        guard case .object(let members) = root else { throw bad(nil, "header is not a JSON object") }

        var seen = Set<String>()
        var metadata: [String: String] = [:]
        var entries: [SafetensorsEntry] = []
        for (name, value) in members {
            guard seen.insert(name).inserted else { throw bad(name, "appears twice in the header") }
            if name == metadataKey {
                guard case .object(let pairs) = value else { throw bad(nil, "\"__metadata__\" is not an object") }
                for (k, v) in pairs {
                    guard case .string(let s) = v else { throw bad(nil, "metadata value for \"\(k)\" is not a string") }
                    guard metadata.updateValue(s, forKey: k) == nil else { throw bad(nil, "metadata key \"\(k)\" appears twice") }
                }
                continue
            }
            entries.append(try decodeEntry(name: name, value, path: path, bad: bad))
        }

        // Sorting by range lets one pass check bounds, overlaps, gaps and coverage together.
        let sorted = entries.sorted { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound) }
        var end = 0
        var previous: String?
        for e in sorted {
            let r = e.dataOffsets
            func offsets(_ why: String) -> SafetensorsError {
                SafetensorsError(.invalidOffsets, path: path, tensor: e.name,
                                 "data_offsets [\(r.lowerBound), \(r.upperBound)] \(why); the file is corrupted or was not written completely")
            }
            if r.upperBound > bufferLength { throw offsets("run past the end of the \(bufferLength)-byte data buffer") }
            if r.lowerBound < end { throw offsets("overlap tensor '\(previous ?? "")' which ends at \(end)") }
            if r.lowerBound > end { throw offsets("leave a gap after byte \(end) of the data buffer") }
            end = r.upperBound
            previous = e.name
        }
        if end != bufferLength {
            throw SafetensorsError(.invalidOffsets, path: path,
                                   "tensors cover \(end) bytes but the data buffer has \(bufferLength); the file is corrupted or has trailing bytes")
        }
        return (sorted, metadata)
    }

    private static func decodeEntry(name: String, _ value: HeaderJSON, path: String,
                                    bad: (String?, String) -> SafetensorsError) throws(SafetensorsError) -> SafetensorsEntry {
        guard case .object(let fields) = value else { throw bad(name, "entry is not an object") }
        var dtype: SafetensorsDType?
        var shape: [Int]?
        var offsets: [Int]?
        var seen = Set<String>()
        for (key, v) in fields {
            guard seen.insert(key).inserted else { throw bad(name, "field \"\(key)\" appears twice") }
            switch key {
            case "dtype":
                guard case .string(let s) = v else { throw bad(name, "\"dtype\" is not a string") }
                guard let d = SafetensorsDType(rawValue: s) else {
                    throw SafetensorsError(.unsupportedDType, path: path, tensor: name,
                                           "unsupported dtype \"\(s)\" (known: \(SafetensorsDType.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                dtype = d
            case "shape":
                guard let a = nonNegativeIntegers(v) else { throw bad(name, "\"shape\" is not an array of non-negative integers") }
                shape = a
            case "data_offsets":
                guard let a = nonNegativeIntegers(v), a.count == 2 else {
                    throw bad(name, "\"data_offsets\" is not a pair of non-negative integers")
                }
                offsets = a
            default:
                throw bad(name, "unexpected field \"\(key)\" (expected dtype, shape, data_offsets)")
            }
        }
        guard let dtype, let shape, let offsets else { throw bad(name, "entry lacks one of dtype, shape, data_offsets") }
        guard offsets[0] <= offsets[1] else {
            throw SafetensorsError(.invalidOffsets, path: path, tensor: name,
                                   "data_offsets [\(offsets[0]), \(offsets[1])] end before they begin; the file is corrupted")
        }
        let length = offsets[1] - offsets[0]
        guard let expected = safetensorsByteCount(shape: shape, dtype: dtype), expected == length else {
            throw SafetensorsError(.invalidOffsets, path: path, tensor: name,
                                   "shape \(shape) of \(dtype.rawValue) needs \(safetensorsByteCount(shape: shape, dtype: dtype).map(String.init) ?? "too many") bytes but data_offsets span \(length); the file is corrupted")
        }
        return SafetensorsEntry(name: name, dtype: dtype, shape: shape, dataOffsets: offsets[0]..<offsets[1])
    }

    private static func nonNegativeIntegers(_ v: HeaderJSON) -> [Int]? {
        guard case .array(let items) = v else { return nil }
        var out: [Int] = []
        for item in items {
            guard case .integer(let n) = item, n >= 0 else { return nil }
            out.append(n)
        }
        return out
    }
}
