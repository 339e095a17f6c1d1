/// A parsed GGUF v3 file: its key/values and tensor infos, with the data left in `bytes`.
/// Reads what `GGUFWriter` writes (and gguf-py for these types); for tests and checks.
public struct GGUFReader {
    /// One tensor's info as stored: dims in ggml order (ne0 first), type id, data offset.
    public struct TensorInfo: Equatable {
        public let name: String
        public let dims: [Int]
        public let ggmlType: UInt32
        public let offset: Int
    }

    /// The whole file.
    public let bytes: [UInt8]
    /// Key/values in file order.
    public private(set) var metadata: [(key: String, value: GGUFValue)] = []
    /// Tensor infos in file order.
    public private(set) var tensors: [TensorInfo] = []
    /// Where the data section starts.
    public private(set) var dataStart = 0
    private var position = 0

    /// Parses `bytes`; an error names what is malformed and where.
    public init(bytes: [UInt8]) throws {
        self.bytes = bytes
        guard bytes.count >= 24, Array(bytes[0..<4]) == GGUFFile.magic else { throw GGUFError("not a GGUF file (no GGUF magic)") }
        position = 4
        let version: UInt32 = try read()
        guard version == GGUFFile.version else { throw GGUFError("GGUF version \(version); only version 3 is read") }
        let tensorCount: UInt64 = try read(), kvCount: UInt64 = try read()
        for _ in 0..<kvCount {
            let key = try readString()
            let code: UInt32 = try read()
            metadata.append((key, try readValue(code: code)))
        }
        for _ in 0..<tensorCount {
            let name = try readString()
            let n: UInt32 = try read()
            var dims: [Int] = []
            for _ in 0..<n { dims.append(Int(try read() as UInt64)) }
            let type: UInt32 = try read(), offset: UInt64 = try read()
            tensors.append(TensorInfo(name: name, dims: dims, ggmlType: type, offset: Int(offset)))
        }
        dataStart = GGUFFile.padded(position)
    }

    /// The value of `key`, or nil.
    public func value(of key: String) -> GGUFValue? { metadata.first { $0.key == key }?.value }

    /// The stored bytes of tensor `name` (count from its dims and type), or nil if absent or out of range.
    public func data(of name: String) -> ArraySlice<UInt8>? {
        guard let t = tensors.first(where: { $0.name == name }),
              let type = GGUFTensorType.allCases.first(where: { $0.ggmlType == t.ggmlType }) else { return nil }
        let start = dataStart + t.offset, end = start + type.byteCount(elements: t.dims.reduce(1, *))
        return end <= bytes.count ? bytes[start..<end] : nil
    }

    private mutating func read<T: FixedWidthInteger>() throws -> T {
        let size = MemoryLayout<T>.size
        guard position + size <= bytes.count else { throw GGUFError("GGUF file truncated at byte \(position)") }
        var v: T = 0
        for i in 0..<size { v |= T(bytes[position + i]) << (8 * i) }
        position += size
        return v
    }

    private mutating func readString() throws -> String {
        let n = Int(try read() as UInt64)
        guard n <= bytes.count - position else { throw GGUFError("GGUF string of \(n) bytes at byte \(position) runs past the end") }
        defer { position += n }
        return String(decoding: bytes[position..<(position + n)], as: UTF8.self)
    }

    private mutating func readValue(code: UInt32) throws -> GGUFValue {
        switch GGUFValue.Code(rawValue: code) {
        case .uint32: return .uint32(try read())
        case .int32: return .int32(Int32(bitPattern: try read()))
        case .float32: return .float32(Float(bitPattern: try read()))
        case .bool: return .bool((try read() as UInt8) != 0)
        case .string: return .string(try readString())
        case .uint64: return .uint64(try read())
        case .array:
            let element: UInt32 = try read(), count = Int(try read() as UInt64)
            guard count <= bytes.count - position else { throw GGUFError("GGUF array of \(count) items at byte \(position) runs past the end") }
            switch GGUFValue.Code(rawValue: element) {
            case .string: return .stringArray(try (0..<count).map { _ in try readString() })
            case .int32: return .int32Array(try (0..<count).map { _ in Int32(bitPattern: try read()) })
            default: throw GGUFError("GGUF array of type \(element) at byte \(position) is not read here")
            }
        default: throw GGUFError("GGUF value type \(code) at byte \(position) is not read here")
        }
    }
}
