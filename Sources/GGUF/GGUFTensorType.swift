/// The element types an export can write, with ggml's type ids and llama.cpp's file-type ids.
public enum GGUFTensorType: String, CaseIterable, Sendable {
    case f32, f16, q8_0

    /// Elements per Q8_0 block: each block is an f16 scale and 32 int8 quanta.
    public static let q8BlockSize = 32

    /// ggml's `ggml_type` id, written in each tensor's info.
    public var ggmlType: UInt32 {
        switch self {
        case .f32: 0
        case .f16: 1
        case .q8_0: 8
        }
    }

    /// llama.cpp's `llama_ftype` for a model mostly of this type (`general.file_type`).
    public var fileType: UInt32 {
        switch self {
        case .f32: 0  // ALL_F32
        case .f16: 1  // MOSTLY_F16
        case .q8_0: 7  // MOSTLY_Q8_0
        }
    }

    /// Whether a row of `rowLength` elements can be stored in this type (Q8_0 needs whole blocks).
    public func canStore(rowLength: Int) -> Bool {
        self != .q8_0 || rowLength % Self.q8BlockSize == 0
    }

    /// Bytes of `count` elements in this type; for Q8_0, `count` is a multiple of 32.
    public func byteCount(elements count: Int) -> Int {
        switch self {
        case .f32: 4 * count
        case .f16: 2 * count
        case .q8_0: count / Self.q8BlockSize * (2 + Self.q8BlockSize)
        }
    }

    /// Appends `values` encoded in this type, little-endian, bit for bit as gguf-py's
    /// `quants.quantize` writes them.
    public func encode(_ values: UnsafeBufferPointer<Float>, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + byteCount(elements: values.count))
        switch self {
        case .f32:
            for v in values { out.appendLE(v.bitPattern) }
        case .f16:
            for v in values { out.appendLE(Float16(v).bitPattern) }  // round to nearest even, as numpy's astype
        case .q8_0:
            precondition(values.count % Self.q8BlockSize == 0, "Q8_0 needs whole blocks of 32")
            for start in stride(from: 0, to: values.count, by: Self.q8BlockSize) {
                Self.appendQ8Block(UnsafeBufferPointer(rebasing: values[start..<(start + Self.q8BlockSize)]), into: &out)
            }
        }
    }

    /// One Q8_0 block as ggml's `quantize_row_q8_0_ref`: d = max|x| / 127 in f32, stored as f16;
    /// q = x · (1/d) rounded half away from zero (gguf-py's `np_roundf`), 0 for an all-zero block.
    static func appendQ8Block(_ x: UnsafeBufferPointer<Float>, into out: inout [UInt8]) {
        var amax: Float = 0
        for v in x { amax = Swift.max(amax, abs(v)) }
        let d = amax / 127
        let id: Float = d == 0 ? 0 : 1 / d
        out.appendLE(Float16(d).bitPattern)
        for v in x { out.append(UInt8(bitPattern: Int8((v * id).rounded(.toNearestOrAwayFromZero)))) }
    }
}
