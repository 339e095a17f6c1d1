import Foundation

/// One tensor handed to `Safetensors.write`: its name, dtype, shape and raw little-endian bytes.
public struct SafetensorsTensor {
    enum Storage {
        case owned(Data)
        case borrowed(UnsafeRawBufferPointer)
    }

    /// The header key, e.g. "h.0.attn.c_attn.weight".
    public let name: String
    /// The element type.
    public let dtype: SafetensorsDType
    /// Dimensions, outermost first; [] is a scalar.
    public let shape: [Int]
    let storage: Storage

    /// A tensor whose bytes are owned by `data`.
    public init(name: String, dtype: SafetensorsDType, shape: [Int], data: Data) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.storage = .owned(data)
    }

    /// A tensor that borrows `bytes` without copying; the memory must stay valid until `write` returns.
    /// This is how a large flat parameter buffer is written without an extra copy.
    public init(name: String, dtype: SafetensorsDType, shape: [Int], borrowing bytes: UnsafeRawBufferPointer) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.storage = .borrowed(bytes)
    }

    /// An F32 tensor copied from `values`.
    public init(name: String, shape: [Int], floats values: [Float]) {
        self.init(name: name, dtype: .f32, shape: shape, data: values.withUnsafeBytes { Data($0) })
    }

    /// The number of payload bytes this tensor holds.
    public var byteCount: Int {
        switch storage {
        case .owned(let d): return d.count
        case .borrowed(let b): return b.count
        }
    }

    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws(SystemCallError) -> R) throws(SystemCallError) -> R {
        switch storage {
        case .borrowed(let b):
            return try body(b)
        case .owned(let d):
            // Data.withUnsafeBytes rethrows untyped errors; carry the typed one across in a Result.
            let outcome: Result<R, SystemCallError> = d.withUnsafeBytes { raw in
                Result { () throws(SystemCallError) -> R in try body(raw) }
            }
            return try outcome.get()
        }
    }
}
