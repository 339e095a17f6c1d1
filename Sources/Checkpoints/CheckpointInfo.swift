import Foundation

/// A checkpoint directory whose files matched the SHA-256 sums recorded in its state.json.
public struct CheckpointInfo: Sendable, Equatable {
    /// The training step: state.json's "step" when present, otherwise parsed from the directory name.
    public let step: Int
    /// The step directory, e.g. `<root>/step-0001000`.
    public let directory: URL
    /// File name → lowercase hex SHA-256, as recorded in state.json's "files".
    public let files: [String: String]
    /// The bytes of state.json as stored (the caller's object plus "files").
    public let state: Data

    /// The URL of one of the checkpoint's files, e.g. `file("model.safetensors")`.
    public func file(_ name: String) -> URL { directory.appendingPathComponent(name) }
}
