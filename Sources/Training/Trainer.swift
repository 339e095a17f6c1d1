import Checkpoints
import Collectives
import Data
import Foundation
import GPT

/// The data-parallel training loop (DESIGN.md, "Distributed step").
///
/// Every rank holds a replica and runs the same steps; rank 0 decides the learning rate and
/// whether to evaluate, save or stop, and broadcasts it; gradients are summed across ranks, so
/// replicas stay identical.
public final class Trainer {
    public let config: TrainConfig
    public let comm: Communicator
    public let plan: BatchPlan
    public let model: GPTModel
    public let optimizer: AdamW
    let trainLoader: BatchLoader
    let evaluator: Evaluator
    let order: SampleOrder
    let schedule: LearningRateSchedule
    let sync: GradientSync
    /// Optimizer steps completed.
    public internal(set) var step = 0
    /// Tokens trained on so far across all ranks.
    public internal(set) var tokensSeen = 0
    /// Validation loss of the last evaluation, if any.
    public internal(set) var lastValidationLoss: Double? = nil
    /// Best validation loss so far and the step whose checkpoint had it.
    public internal(set) var best: (loss: Double, step: Int)? = nil
    /// Where the time of the last `trainStep` went (for `trainer bench`).
    public internal(set) var timings = StepTimings()
    /// Where rank 0 writes checkpoints.
    public let store: CheckpointStore
    /// Ends the job when ranks stop making progress (set by the command that runs the loop).
    public var watchdog: Watchdog? = nil
    /// A deliberate failure for tests (TRAINER_FAULT).
    public var fault: FaultInjection? = nil
    let tokenizerDirectory: URL

    /// Builds the replica and the data pipeline; call `initializeWeights` or restore state next.
    public init(config: TrainConfig, comm: Communicator, data: PreparedData) throws {
        self.config = config
        self.comm = comm
        plan = try BatchPlan(config: config, worldSize: comm.size)
        let T = config.model.blockSize
        model = GPTModel(config: config.model, maxBatch: plan.microBatch, maxSequence: T)
        let t = config.training
        optimizer = AdamW(layout: model.layout, beta1: Float(t.beta1), beta2: Float(t.beta2), weightDecay: Float(t.weightDecay))
        let train = data.train
        let val = data.val
        trainLoader = BatchLoader(dataset: train, sequence: T, maxBatch: plan.microBatch)
        let valLoader = BatchLoader(dataset: val, sequence: T, maxBatch: plan.microBatch)
        guard trainLoader.sampleCount >= plan.sequencesPerStep else {
            throw TrainingError("\(data.directory.path): the training split has \(train.count) tokens, fewer than one batch of \(plan.tokensPerStep); use a larger corpus or a smaller training.batch_tokens")
        }
        guard valLoader.sampleCount > 0 else {
            throw TrainingError("\(data.directory.path): the validation split has \(val.count) tokens, fewer than one sequence of \(T + 1); raise data.val_fraction or lower model.block_size")
        }
        order = SampleOrder(sampleCount: trainLoader.sampleCount, seed: UInt64(t.seed))
        evaluator = Evaluator(model: model, loader: valLoader, batch: plan.microBatch, batches: config.eval.batches, comm: comm)
        schedule = LearningRateSchedule(t)
        sync = GradientSync(comm: comm, gradients: model.gradients, bucketMiB: config.distributed.bucketMb, overlap: config.distributed.overlap)
        store = CheckpointStore(root: URL(fileURLWithPath: config.checkpoint.dir))
        tokenizerDirectory = data.directory
    }

    /// Rank 0 draws the initial weights from the seed and broadcasts them to every replica.
    public func initializeWeights() throws(CollectiveError) {
        if comm.isRoot {
            var rng = SplitMix64(seed: UInt64(config.training.seed))
            model.initializeWeights(using: &rng)
        }
        try comm.broadcast(UnsafeMutableRawBufferPointer(model.parameters), root: 0)
    }

    /// Trains until `max_steps`, until `untilStep` steps are done, or until `shouldStop` (asked on
    /// rank 0 only) says so; the last step is always followed by a checkpoint.
    public func run(untilStep: Int? = nil, shouldStop: () -> Bool = { false }, onEvent: (TrainingEvent) -> Void) throws {
        try StepLoop(config: config, comm: comm, schedule: schedule, watchdog: watchdog).run(
            step: { step }, untilStep: untilStep, shouldStop: shouldStop, onEvent: onEvent,
            trainStep: trainStep(learningRate:),
            evaluate: {
                let result = try evaluator.evaluate()
                lastValidationLoss = result.loss
                if result.loss.isFinite, result.loss < best?.loss ?? .infinity { best = (result.loss, step) }
                if comm.isRoot { onEvent(.evaluation(step: step, tokens: tokensSeen, loss: result.loss)) }
            },
            save: { try saveCheckpoint(learningRate: $0) })
    }

    /// One optimizer step: forward/backward over this rank's slice, gradient sum, clip, AdamW.
    public func trainStep(learningRate: Double) throws -> StepRecord {
        var times = StepTimings()
        let startedAt = monotonicSeconds()
        model.zeroGradients()
        sync.beginStep()
        let scale = Float(1.0 / Double(plan.tokensPerStep))
        var lossSum = 0.0
        var nonFinite = false
        watchdog?.enter("forward/backward", step: step, collective: false)
        if let fault, fault.kind != .nan, fault.kind != .crashInSave, fault.fires(rank: comm.rank, step: step) { fault.strike() }
        for micro in 0..<plan.accumulationSteps {
            let first = plan.firstPosition(step: step, rank: comm.rank, micro: micro)
            trainLoader.load(batch: plan.microBatch) { order.sample(atStreamPosition: first + $0) }
            let forwardAt = monotonicSeconds()
            let result = model.forward(inputs: UnsafeBufferPointer(trainLoader.inputs), targets: UnsafeBufferPointer(trainLoader.targets), batch: plan.microBatch, sequence: plan.sequence)
            let backwardAt = monotonicSeconds()
            times.forward += backwardAt - forwardAt
            defer { times.backward += monotonicSeconds() - backwardAt }
            lossSum += result.sum
            if !result.sum.isFinite { nonFinite = true }
            if micro == plan.accumulationSteps - 1 && sync.overlap {
                var failure: CollectiveError? = nil
                model.backward(lossScale: scale) { range in
                    guard failure == nil else { return }
                    do throws(CollectiveError) { try self.sync.gradientsFinal(range) } catch { failure = error }
                }
                if let failure { throw failure }
            } else {
                model.backward(lossScale: scale)
            }
        }
        if let fault, fault.kind == .nan, fault.fires(rank: comm.rank, step: step) {
            lossSum = .nan
            nonFinite = true
        }
        watchdog?.enter("gradient all-reduce", step: step, collective: true)
        try sync.finish()
        times.allReduceExposed = sync.exposedSeconds
        times.allReduceTotal = sync.totalSeconds
        let totals = try comm.sum([lossSum, nonFinite ? 1 : 0])
        let loss = totals[0] / Double(plan.tokensPerStep)
        let clip = GradientClipping.clip(model.gradients, maxNorm: Float(config.training.gradClip))
        let skipped = totals[1] > 0 || !loss.isFinite || !clip.norm.isFinite
        let optimizerAt = monotonicSeconds()
        if !skipped {
            optimizer.update(parameters: model.parameters, gradients: model.gradients, learningRate: Float(learningRate), step: step + 1)
        }
        step += 1
        tokensSeen += plan.tokensPerStep
        let finishedAt = monotonicSeconds()
        times.optimizer = finishedAt - optimizerAt
        times.total = finishedAt - startedAt
        timings = times
        let seconds = times.total
        return StepRecord(
            step: step - 1, loss: loss, lr: learningRate, gradNorm: Double(clip.norm), tokens: tokensSeen,
            skipped: skipped, milliseconds: seconds * 1000, tokensPerSecond: Double(plan.tokensPerStep) / seconds,
            allReduceMilliseconds: sync.exposedSeconds * 1000)
    }
}

/// A failure of the training run that is not a configuration or collective error.
public struct TrainingError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
