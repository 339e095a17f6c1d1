import Checkpoints
import Foundation
import ModelFiles
import RunConfig
import ScalingLaws
import Training

/// Where one cell of a sweep stands, as rank 0 finds it in sweep.jsonl and the cell's directory.
struct SweepCellStatus {
    /// What the sweep does with the cell.
    enum Progress: Int {
        /// sweep.jsonl holds its record: nothing to do.
        case recorded
        /// Its final checkpoint exists but its record does not: evaluate the checkpoint.
        case finished
        /// A checkpoint before the last step exists: resume it and train to the end.
        case interrupted
        /// Nothing saved yet: train from the start.
        case fresh
        /// A stop signal arrived: end the sweep before this cell.
        case stop
    }

    var progress: Progress
    /// The newest valid checkpoint's step (0 when there is none).
    var step = 0
    /// Wall seconds of training stored in the newest valid checkpoint.
    var trainingSeconds = 0.0

    /// What the sweep does with the cell, for the log.
    var summary: String {
        switch progress {
        case .recorded: "recorded earlier, skipped"
        case .finished: "finished earlier; evaluating its final checkpoint"
        case .interrupted: "resuming from step \(step)"
        case .fresh: "training"
        case .stop: "stopping"
        }
    }

    /// Fields that may differ between runs without changing a cell's result, beyond those
    /// `ResumeCheck` lets change on resume: the held-out tokens depend on data.dir, eval.batches
    /// and micro_batch, so for a sweep these must stay the same too.
    static let sweepFixed: Set<String> = ["data.dir", "eval.batches", "training.micro_batch"]

    /// Inspects the cell whose training config is `config`; `recorded` says whether sweep.jsonl
    /// holds its record. Refuses a cell whose checkpoints were made with other settings, so that
    /// a sweep never mixes results of different configurations.
    static func inspect(_ cell: PlannedCell, config: TrainConfig, recorded: Bool, warn: (String) -> Void) throws -> SweepCellStatus {
        let store = CheckpointStore(root: URL(fileURLWithPath: config.checkpoint.dir))
        guard try !store.list().isEmpty else { return SweepCellStatus(progress: recorded ? .recorded : .fresh) }
        guard let info = store.latestValid(warn: warn) else {
            throw TrainingError("\(store.root.path): no checkpoint of cell \(cell.name) passed its SHA-256 check (see the warnings above); delete the cell's directory to train it again")
        }
        let state = try TrainingState.read(info.state, path: info.file(CheckpointStore.stateFileName).path)
        let differences = ResumeCheck.compare(ResumeCheck.fields(of: state.config), ResumeCheck.fields(of: config))
            .filter { !ResumeCheck.free.contains($0.field) || sweepFixed.contains($0.field) }
        guard differences.isEmpty else {
            throw TrainingError("\(info.directory.path) was trained with other settings than the sweep now gives cell \(cell.name): "
                                + differences.map(\.description).joined(separator: "; ")
                                + "; restore the sweep's settings, or give the sweep a new `dir`")
        }
        let status = SweepCellStatus(progress: .interrupted, step: state.step, trainingSeconds: state.trainingSeconds ?? 0)
        guard state.step >= cell.steps else { return status }
        guard state.step == cell.steps else {
            throw TrainingError("\(info.directory.path) is at step \(state.step), past cell \(cell.name)'s \(cell.steps) steps; delete the cell's directory to train it again")
        }
        return SweepCellStatus(progress: recorded ? .recorded : .finished, step: state.step, trainingSeconds: status.trainingSeconds)
    }
}
