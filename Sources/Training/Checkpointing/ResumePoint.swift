import Checkpoints
import Foundation
import RunConfig

/// Where a run starts: rank 0's choice between a fresh start and a checkpoint, shared by
/// `train` and `finetune`.
public enum ResumePoint {
    /// What a bare `--resume` stands for.
    public static let latest = "latest"

    /// Rank 0: the state bytes of the checkpoint to resume from (after `load` put its tensors in
    /// place), or nothing for a fresh start. Refuses a fresh start over an existing run's
    /// checkpoints, so saved work is never overwritten.
    public static func stateBytes(resume: String?, store: CheckpointStore, load: (CheckpointInfo) throws -> [UInt8]) throws -> [UInt8] {
        let warn: (String) -> Void = { Log.warning($0, rank: 0) }
        guard let resume else {
            if let latest = store.latestName() {
                throw TrainingError("\(store.root.path) already holds checkpoints of a run (latest: \(latest)); pass --resume to continue it, or choose another checkpoint.dir")
            }
            return []
        }
        guard resume == latest else {
            return try load(CheckpointStore.resolve(path: URL(fileURLWithPath: resume), warn: warn))
        }
        guard let info = store.latestValid(warn: warn) else {
            if (try? store.list())?.isEmpty == false {
                throw TrainingError("\(store.root.path): no checkpoint passed its SHA-256 check; see the warnings above, or start a new checkpoint.dir")
            }
            warn("--resume: no checkpoint in \(store.root.path) yet; starting from the beginning")
            return []
        }
        return try load(info)
    }
}

