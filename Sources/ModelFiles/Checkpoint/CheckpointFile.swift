import Foundation

/// One file of a checkpoint: its name and how to write it into the temporary directory.
public typealias CheckpointFile = (name: String, write: (URL) throws -> Void)
