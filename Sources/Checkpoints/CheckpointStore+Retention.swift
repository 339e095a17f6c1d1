import Foundation

extension CheckpointStore {
    /// Deletes old checkpoints, keeping the `keep` highest steps, `bestStep` (the caller tracks which
    /// step had the best validation loss and records it in its own state, e.g. "best_step"), and
    /// whatever `latest` names. Hidden leftovers are not touched. Returns the removed directories.
    @discardableResult
    public func prune(keep: Int, bestStep: Int?) throws(CheckpointError) -> [URL] {
        guard keep >= 0 else {
            throw CheckpointError(.invalidArgument, path: root.path, "checkpoint.keep is \(keep); it must be 0 or more")
        }
        let all = try list()
        var protected = Set(all.suffix(keep).map(\.step))
        if let bestStep { protected.insert(bestStep) }
        if let name = latestName(), let s = Self.step(fromDirectoryName: name) { protected.insert(s) }
        var removed: [URL] = []
        for c in all where !protected.contains(c.step) {
            do {
                try FileManager.default.removeItem(at: c.directory)
            } catch {
                throw CheckpointError(.io, path: c.directory.path,
                                      "cannot remove an old checkpoint (\(CheckpointFileErrorText.reason(error))); check permissions on checkpoint.dir")
            }
            removed.append(c.directory)
        }
        return removed
    }
}
