import Collectives
import Foundation
import RunConfig
import ScalingLaws
import Training

extension SweepRun {
    /// How a sweep ended.
    public enum Ending: Sendable, Equatable {
        /// Every cell is recorded and fit.json holds the fit and the held-out check.
        case finished
        /// A stop signal ended it; running the same command again continues it.
        case stopped
    }

    /// Runs the sweep on this rank: the grid's cells in order (finished ones skipped, an
    /// interrupted one resumed), the fit, the held-out prediction, the held-out cell, the check.
    /// Every rank runs the same cells in the same order; rank 0 alone writes files and prints.
    /// `shouldStop` is asked on rank 0 between cells and before every step.
    @discardableResult
    public func run(comm: Communicator, fault: FaultInjection?, shouldStop: () -> Bool) throws -> Ending {
        let started = Date()
        if comm.isRoot {
            print("sweep \(source): \(plan.grid.count) cells" + (plan.heldOut == nil ? "" : " and a held-out cell")
                  + " on \(comm.size) rank\(comm.size == 1 ? "" : "s"), in \(spec.dir)")
        }
        _ = try RunSetup.prepareData(config: base, comm: comm, progress: .standardOutput)
        var ledger = try comm.agreeOnRoot { () throws -> SweepLedger in
            return try SweepLedger(directory: directory, plan: plan, warn: Self.warn)
        }
        for cell in plan.grid {
            guard try runCell(cell, ledger: &ledger, comm: comm, fault: fault, shouldStop: shouldStop) else { return .stopped }
        }
        var report = try comm.agreeOnRoot { () throws -> FitReport in
            let records = ledger!.ordered
            let report = try SweepAnalysis(spec: spec).analyze(records, heldOut: plan.heldOut)
            try SweepOutputs.write(report, records: records, directory: directory)
            for line in SweepOutputs.fitLines(report) { print(line) }
            if let p = report.prediction, p.measuredLoss == nil { print(SweepOutputs.predictionLine(p)) }
            fflush(nil)
            return report
        }
        if let heldOut = plan.heldOut {
            guard try runCell(heldOut, ledger: &ledger, comm: comm, fault: fault, shouldStop: shouldStop) else { return .stopped }
            try comm.agreeOnRoot {
                let records = ledger!.ordered
                if let measured = ledger!.record(heldOut) { report!.prediction?.record(measured: measured.loss) }
                try SweepOutputs.write(report!, records: records, directory: directory)
                if let p = report!.prediction { print(SweepOutputs.predictionLine(p)) }
            }
        }
        if comm.isRoot {
            let training = ledger!.ordered.map(\.wallSeconds).reduce(0, +)
            print("sweep done: \(plan.cells.count) cells, " + String(format: "%.0f s of training in all, %.0f s in this invocation", training, Date().timeIntervalSince(started))
                  + "; results in \(directory.appendingPathComponent(SweepLedger.fileName).path) and \(directory.appendingPathComponent(SweepOutputs.fitFileName).path)")
        }
        return .finished
    }

    /// Runs one cell unless it is recorded: trains it (fresh or resumed) when it is not finished,
    /// then evaluates its final checkpoint and records it. Returns false when a stop signal ended
    /// the sweep, before the cell or during its training (which then saved a checkpoint).
    private func runCell(_ cell: PlannedCell, ledger: inout SweepLedger?, comm: Communicator, fault: FaultInjection?,
                         shouldStop: () -> Bool) throws -> Bool {
        let config = config(for: cell)
        let position = "[\((plan.cells.firstIndex(of: cell) ?? 0) + 1)/\(plan.cells.count)]"
        let found = try comm.agreeOnRoot { () throws -> SweepCellStatus in
            if shouldStop() { return SweepCellStatus(progress: .stop) }
            return try SweepCellStatus.inspect(cell, config: config, recorded: ledger!.record(cell) != nil, warn: Self.warn)
        }
        let code = try comm.broadcast(found?.progress.rawValue ?? 0)
        guard let progress = SweepCellStatus.Progress(rawValue: code) else { throw TrainingError("sweep: unknown cell status \(code)") }
        if comm.isRoot, let found {
            print(progress == .stop ? "sweep stopped before cell \(cell.name); run the same command again to continue"
                  : "sweep \(position) \(SweepOutputs.describe(cell)): \(found.summary)")
            fflush(nil)
        }
        var seconds = found?.trainingSeconds ?? 0
        switch progress {
        case .stop: return false
        case .recorded: return true
        case .finished: break
        case .fresh, .interrupted:
            // Sweeps refuse init_from, so every cell starts from its seed.
            let job = TrainingRun(inputs: RunInputs(config: config, kind: .pretrain(nil), fault: fault),
                                  resume: progress == .interrupted ? ResumePoint.latest : nil, untilStep: nil, acceptInexactResume: false)
            let outcome = try job.run(comm: comm, shouldStop: shouldStop)
            guard outcome.finished else {
                if comm.isRoot { print("sweep stopped in cell \(cell.name) at step \(outcome.step) of \(cell.steps) (saved); run the same command again to continue") }
                return false
            }
            seconds = outcome.trainingSeconds
        }
        try record(cell, config: config, trainingSeconds: seconds, ledger: &ledger, comm: comm)
        return true
    }

    /// Evaluates the cell's final checkpoint on the sweep's shared held-out tokens (every rank)
    /// and adds its record to sweep.jsonl (rank 0).
    private func record(_ cell: PlannedCell, config: TrainConfig, trainingSeconds: Double, ledger: inout SweepLedger?,
                        comm: Communicator) throws {
        let result = try CheckpointEvaluation.run(checkpoint: config.checkpoint.dir, dataFile: nil, comm: comm) { text in
            if comm.isRoot { Self.warn(text) }
        }
        try comm.agreeOnRoot {
            guard result.step == cell.steps else {
                throw TrainingError("\(result.checkpoint.path): the newest valid checkpoint of cell \(cell.name) is at step \(result.step), not its last step \(cell.steps); delete the cell's directory to train it again")
            }
            guard result.loss.isFinite, result.bitsPerByte.isFinite else {
                throw TrainingError("cell \(cell.name) ended with a non-finite held-out loss; lower training.lr (or raise warmup_fraction) in the sweep file and give it a new `dir`")
            }
            let record = CellRecord(cell, loss: result.loss, bitsPerByte: result.bitsPerByte, wallSeconds: trainingSeconds,
                                    tokensPerSecond: trainingSeconds > 0 ? Double(cell.tokens) / trainingSeconds : 0)
            try ledger!.add(record)
            print("sweep \(SweepOutputs.describe(record))")
            fflush(nil)
        }
    }

    /// Rank 0's warnings, on stderr like the trainer's.
    static func warn(_ text: String) {
        Log.warning(text, rank: 0)
    }
}
