import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a checkpoint could not be saved, validated or found; `description` names the path and the fix.
public struct CheckpointError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// What went wrong, for callers and tests that branch on it.
    public enum Kind: Sendable, Equatable {
        /// The OS refused a file operation (no space, no permission, not a directory, ...).
        case io
        /// One of the caller's file writers threw.
        case writerFailed
        /// A file the checkpoint needs (state.json or one it lists) is absent.
        case missingFile
        /// A file's SHA-256 differs from the one recorded in state.json.
        case corrupted
        /// state.json is not a JSON object of the expected form.
        case invalidState
        /// The caller passed an unusable step, file name or state.
        case invalidArgument
        /// No checkpoint exists where one was asked for.
        case notFound
        /// Another run holds the checkpoint directory's lock.
        case locked
    }

    /// The category of failure.
    public let kind: Kind
    /// The file or directory concerned.
    public let path: String
    /// What was wrong and how to fix it.
    public let reason: String

    /// Creates an error; `reason` should say what was wrong and how to fix it.
    public init(_ kind: Kind, path: String, _ reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }

    /// "<path>: <reason>".
    public var description: String { "\(path): \(reason)" }

    /// Same as `description`, so that `localizedDescription` is useful too.
    public var errorDescription: String? { description }

    /// Wraps an OS failure with advice matched to errno.
    init(_ error: SystemCallError) {
        let advice: String
        switch error.code {
        case ENOSPC, EDQUOT: advice = "free disk space or lower checkpoint.keep"
        case EACCES, EPERM, EROFS, ENOTDIR, EISDIR: advice = "choose a writable checkpoint.dir"
        default: advice = "free disk space or choose a writable checkpoint.dir"
        }
        self.init(.io, path: error.path, "\(error.operation) failed: \(error.osText); \(advice)")
    }
}
