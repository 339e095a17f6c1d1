import Checkpoints
import Collectives
import Foundation
import RunConfig

/// The step loop that pre-training and fine-tuning share, read top to bottom: rank 0 decides the
/// step (learning rate; evaluate, save or stop afterwards) and broadcasts it, every rank trains,
/// then evaluates and saves as decided. A step whose loss or gradient is not finite on any rank is
/// skipped everywhere; more than `training.max_skipped_steps` in a row stop the run without saving.
public struct StepLoop {
    let config: TrainConfig
    let comm: Communicator
    let schedule: LearningRateSchedule
    let watchdog: Watchdog?
    /// Bytes a checkpoint writes, for the save's own watchdog limit.
    let checkpointBytes: Int

    /// A loop for `config`'s schedule over `comm`'s ranks.
    public init(config: TrainConfig, comm: Communicator, watchdog: Watchdog?, checkpointBytes: Int) {
        self.config = config
        self.comm = comm
        self.schedule = LearningRateSchedule(config.training)
        self.watchdog = watchdog
        self.checkpointBytes = checkpointBytes
    }

    /// Runs `host`'s steps until max_steps, `untilStep` or `shouldStop` (asked on rank 0 only); the
    /// last step is always followed by a checkpoint.
    public func run(_ host: StepLoopHost, untilStep: Int?, shouldStop: () -> Bool, onEvent: (TrainingEvent) -> Void) throws {
        var consecutiveSkips = 0
        while host.step < min(config.training.maxSteps, untilStep ?? .max) {
            let current = host.step
            let stopRequested = comm.isRoot && (shouldStop() || current + 1 >= untilStep ?? .max)
            watchdog?.enter("step decision broadcast", step: current, collective: true)
            let decision = try comm.broadcast(decide(step: current, stopRequested: stopRequested))

            let record = try host.trainStep(learningRate: decision.learningRate)
            if comm.isRoot {
                if record.skipped { onEvent(.warning("step \(record.step): non-finite loss or gradient on some rank; the update was skipped")) }
                onEvent(.step(record))
            }
            consecutiveSkips = record.skipped ? consecutiveSkips + 1 : 0
            if consecutiveSkips > config.training.maxSkippedSteps {
                // Every rank saw the same reduced flag, so every rank stops here together.
                throw RankFailure(rank: 0, message: "\(consecutiveSkips) steps in a row (up to step \(record.step)) had a non-finite loss or gradient; stopping without saving, so the last good checkpoint in \(config.checkpoint.dir) stays the newest. Lower training.lr, check the data, or raise training.max_skipped_steps")
            }

            if decision.evaluate {
                watchdog?.enter("evaluation", step: host.step, collective: false)
                try host.evaluate(onEvent: onEvent)
            }
            // A checkpoint right after a skipped step could capture a run that is going bad; the
            // last good one stays the newest until a step succeeds again.
            if decision.save && consecutiveSkips == 0 { try save(host, learningRate: decision.learningRate, onEvent: onEvent) }
            if decision.stop { break }
        }
    }

    /// Every rank checks the replicas; rank 0 writes while the others wait in `agreeOnRoot`, which
    /// also carries a failed save's error (a full disk, say) to every rank.
    private func save(_ host: StepLoopHost, learningRate: Double, onEvent: (TrainingEvent) -> Void) throws {
        watchdog?.enter("replica check", step: host.step, collective: true)
        let replicas = try host.verifyReplicas()
        watchdog?.enter(comm.isRoot ? "checkpoint save" : "waiting for rank 0's checkpoint save", step: host.step,
                        collective: !comm.isRoot, limit: saveLimit)
        let started = monotonicSeconds()
        if let directory = try comm.agreeOnRoot({ try host.save(learningRate: learningRate) }) {
            onEvent(.saved(step: host.step, directory: directory, seconds: monotonicSeconds() - started, replicas: replicas))
        }
    }

    /// How long a save may take: checkpoint.save_timeout_s, or by default the step watchdog's limit
    /// or 60 s plus 1 s per 20 MB to write (and hash and fsync), whichever is longer.
    var saveLimit: (seconds: Double, setting: String) {
        let configured = config.checkpoint.saveTimeoutS
        if configured > 0 { return (configured, "checkpoint.save_timeout_s = \(Int(configured))") }
        let automatic = max(config.distributed.watchdogS, 60 + Double(checkpointBytes) / 20e6)
        return (automatic, "save limit \(Int(automatic)) s for \(checkpointBytes / 1_000_000) MB; set checkpoint.save_timeout_s to change it")
    }

    // Rank 0's decision for the step about to run (0-based `step`).
    private func decide(step: Int, stopRequested: Bool) -> StepDecision {
        let next = step + 1
        let last = next >= config.training.maxSteps || stopRequested
        let every = config.eval.every
        return StepDecision(
            learningRate: schedule.rate(at: step),
            evaluate: every > 0 && (next % every == 0 || last),
            save: last || (config.checkpoint.every > 0 && next % config.checkpoint.every == 0),
            stop: last)
    }
}
