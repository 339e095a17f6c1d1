/// One metadata value of a GGUF file, of the types llama.cpp's model files use.
public enum GGUFValue: Equatable, Sendable {
    case uint32(UInt32)
    case int32(Int32)
    case float32(Float)
    case bool(Bool)
    case string(String)
    case uint64(UInt64)
    case stringArray([String])
    case int32Array([Int32])

    /// GGUF's value type codes (gguf.md, `gguf_metadata_value_type`).
    enum Code: UInt32 {
        case uint8 = 0, int8, uint16, int16, uint32, int32, float32, bool, string, array, uint64, int64, float64
    }

    /// The code written before the value.
    var code: Code {
        switch self {
        case .uint32: .uint32
        case .int32: .int32
        case .float32: .float32
        case .bool: .bool
        case .string: .string
        case .uint64: .uint64
        case .stringArray, .int32Array: .array
        }
    }

    /// Appends the type code and the value, little-endian, as gguf-py's `_pack_val` does.
    func append(to out: inout [UInt8]) {
        out.appendLE(code.rawValue)
        switch self {
        case .uint32(let v): out.appendLE(v)
        case .int32(let v): out.appendLE(UInt32(bitPattern: v))
        case .float32(let v): out.appendLE(v.bitPattern)
        case .bool(let v): out.append(v ? 1 : 0)
        case .string(let v): out.appendGGUFString(v)
        case .uint64(let v): out.appendLE(v)
        case .stringArray(let items):
            out.appendLE(Code.string.rawValue)
            out.appendLE(UInt64(items.count))
            for item in items { out.appendGGUFString(item) }
        case .int32Array(let items):
            out.appendLE(Code.int32.rawValue)
            out.appendLE(UInt64(items.count))
            for item in items { out.appendLE(UInt32(bitPattern: item)) }
        }
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` in little-endian byte order.
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Appends a GGUF string: its UTF-8 length as a u64, then its bytes (no terminator).
    mutating func appendGGUFString(_ text: String) {
        let bytes = Array(text.utf8)
        appendLE(UInt64(bytes.count))
        append(contentsOf: bytes)
    }
}
