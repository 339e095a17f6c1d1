/// One tensor to write: llama.cpp's name, its shape, its type, and where its elements come from.
public struct GGUFTensor {
    /// llama.cpp's tensor name, e.g. `blk.0.attn_qkv.weight`.
    public let name: String
    /// Row-major shape as PyTorch and numpy give it: the last dimension is contiguous (ggml's ne0).
    public let shape: [Int]
    /// The element type in the file.
    public let type: GGUFTensorType
    /// The elements in row-major order; called once, when the tensor is written.
    public let values: () throws -> [Float]

    /// A tensor of `shape` and `type` whose elements `values` produces.
    public init(name: String, shape: [Int], type: GGUFTensorType, values: @escaping () throws -> [Float]) {
        self.name = name
        self.shape = shape
        self.type = type
        self.values = values
    }

    /// Number of elements.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Bytes of the tensor's data, without padding.
    public var byteCount: Int { type.byteCount(elements: elementCount) }
}

/// A whole GGUF v3 file before it is written: ordered metadata, then tensors.
public struct GGUFFile {
    /// Data alignment: gguf-py's and llama.cpp's default, so no `general.alignment` key is written.
    public static let alignment = 32
    /// The file's magic, "GGUF".
    static let magic: [UInt8] = Array("GGUF".utf8)
    /// The format version written.
    static let version: UInt32 = 3

    /// Metadata key/values in the order they are written.
    public var metadata: [(key: String, value: GGUFValue)] = []
    /// Tensors in the order they are written.
    public var tensors: [GGUFTensor] = []

    /// An empty file.
    public init() {}

    /// Appends a metadata key/value.
    public mutating func add(_ key: String, _ value: GGUFValue) {
        metadata.append((key, value))
    }

    /// The value of `key`, or nil if there is none.
    public func value(of key: String) -> GGUFValue? {
        metadata.first { $0.key == key }?.value
    }

    /// `n` rounded up to a multiple of the alignment.
    static func padded(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }

    /// Header, key/values and tensor infos, padded to the alignment: everything before the data.
    func headerBytes() -> [UInt8] {
        var out = Self.magic
        out.appendLE(Self.version)
        out.appendLE(UInt64(tensors.count))
        out.appendLE(UInt64(metadata.count))
        for (key, value) in metadata {
            out.appendGGUFString(key)
            value.append(to: &out)
        }
        var offset = 0
        for t in tensors {
            out.appendGGUFString(t.name)
            out.appendLE(UInt32(t.shape.count))
            for n in t.shape.reversed() { out.appendLE(UInt64(n)) }  // ggml order: ne0 (contiguous) first
            out.appendLE(t.type.ggmlType)
            out.appendLE(UInt64(offset))
            offset += Self.padded(t.byteCount)
        }
        out.append(contentsOf: [UInt8](repeating: 0, count: Self.padded(out.count) - out.count))
        return out
    }
}
