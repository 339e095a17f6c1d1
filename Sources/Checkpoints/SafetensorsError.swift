import Foundation

/// Why a safetensors file could not be written or read; `description` names the file and tensor.
public struct SafetensorsError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// What went wrong, for callers and tests that branch on it.
    public enum Kind: Sendable, Equatable {
        /// The OS refused an open/read/write/fsync (missing file, no space, no permission, ...).
        case io
        /// The file ends before the 8-byte length, the header or the data it announces.
        case truncated
        /// The header is not well-formed JSON or not the shape the format prescribes.
        case invalidHeader
        /// Tensor offsets overlap, leave gaps, run past the buffer or disagree with shape × dtype.
        case invalidOffsets
        /// The header names a dtype this reader does not know.
        case unsupportedDType
        /// The caller asked for a tensor that is not in the file.
        case missingTensor
        /// The tensor exists but its dtype or shape is not the one the caller expected.
        case mismatch
        /// The caller passed something the format cannot hold (duplicate name, wrong byte count, ...).
        case invalidArgument
    }

    /// The category of failure.
    public let kind: Kind
    /// The file being read or written.
    public let path: String
    /// The tensor concerned, when one is.
    public let tensor: String?
    /// What was wrong and, where there is one, how to fix it.
    public let reason: String

    /// Creates an error; `reason` should say what was wrong and how to fix it.
    public init(_ kind: Kind, path: String, tensor: String? = nil, _ reason: String) {
        self.kind = kind
        self.path = path
        self.tensor = tensor
        self.reason = reason
    }

    /// "<path>: tensor '<name>': <reason>".
    public var description: String {
        if let tensor { return "\(path): tensor '\(tensor)': \(reason)" }
        return "\(path): \(reason)"
    }

    /// Same as `description`, so that `localizedDescription` is useful too.
    public var errorDescription: String? { description }

    init(_ error: SystemCallError, hint: String) {
        self.init(.io, path: error.path, "\(error.operation) failed: \(error.osText); \(hint)")
    }
}
