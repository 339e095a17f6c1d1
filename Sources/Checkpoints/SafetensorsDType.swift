/// An element type of the safetensors format, spelled as in the file header ("F32", ...).
public enum SafetensorsDType: String, Sendable, CaseIterable, Equatable {
    case bool = "BOOL"
    case u8 = "U8"
    case i8 = "I8"
    case f8e5m2 = "F8_E5M2"
    case f8e4m3 = "F8_E4M3"
    case i16 = "I16"
    case u16 = "U16"
    case f16 = "F16"
    case bf16 = "BF16"
    case i32 = "I32"
    case u32 = "U32"
    case f32 = "F32"
    case f64 = "F64"
    case i64 = "I64"
    case u64 = "U64"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .f64, .i64, .u64: return 8
        }
    }
}

/// Element count and byte count of a tensor, or nil when a dimension is negative or the product overflows.
func safetensorsByteCount(shape: [Int], dtype: SafetensorsDType) -> Int? {
    var count = 1
    for d in shape {
        guard d >= 0 else { return nil }
        let (p, overflow) = count.multipliedReportingOverflow(by: d)
        if overflow { return nil }
        count = p
    }
    let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.size)
    return overflow ? nil : bytes
}
