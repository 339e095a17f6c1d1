import Collectives
import GPT
import RunConfig

/// How one step's sums cross ranks: the model's and the head's gradients, the loss and the
/// non-finite count. `FloatStepSync` adds Floats (the bits depend on how micro-batches sit on
/// ranks); `ExactStepSync` adds integers (the bits do not), as `distributed.exact` chooses.
protocol StepSync: AnyObject {
    /// Call at the start of a step, with every gradient buffer at zero.
    func beginStep()
    /// Whether backward of this micro-batch (`last` of the step or not) should report the
    /// gradient ranges it finishes.
    func wantsRanges(last: Bool) -> Bool
    /// Backward's callback: `range` of the model's gradients is final for this micro-batch.
    func gradientsFinal(_ range: Range<Int>, last: Bool) throws(CollectiveError)
    /// After a micro-batch's backward: its summed `loss`, and whether backward reported ranges
    /// (an objective that reports none is taken as a whole).
    func endMicroBatch(loss: Double, reportedRanges: Bool, last: Bool) throws(CollectiveError)
    /// Completes the step's sums: the gradient buffers hold the totals over every rank; returns
    /// the summed loss and the count of non-finite values, both the same on every rank.
    func finish() throws(CollectiveError) -> (lossSum: Double, nonFinite: Double)
    /// Seconds `finish` took, last step (the all-reduce left after backward).
    var exposedSeconds: Double { get }
    /// Seconds from the first bucket's start to the end of the all-reduce, last step.
    var totalSeconds: Double { get }
    /// Seconds spent encoding gradients for exact sums, last step (0 for Float sums).
    var encodeSeconds: Double { get }
    /// Seconds of `exposedSeconds` spent decoding exact sums, last step (0 for Float sums).
    var decodeSeconds: Double { get }
    /// Seconds backward spent starting buckets and progressing them, last step (overlap only).
    var inBackwardSeconds: Double { get }
}

/// The step's sums for `config`: exact with `distributed.exact`, else in Float; with `shards`
/// (ZeRO-1) the model's gradients are reduce-scattered, so only this rank's shard is summed.
func makeStepSync(config: TrainConfig, comm: Communicator, gradients: UnsafeMutableBufferPointer<Float>,
                  extraGradients: UnsafeMutableBufferPointer<Float>?, shards: ShardPartition? = nil) -> StepSync {
    let d = config.distributed
    if d.exact {
        return ExactStepSync(comm: comm, gradients: gradients, extraGradients: extraGradients, bucketMiB: d.bucketMb,
                             overlap: d.overlapsBackward, threads: KernelThreads.count, shards: shards)
    }
    return FloatStepSync(comm: comm, gradients: gradients, extraGradients: extraGradients, bucketMiB: d.bucketMb, overlap: d.overlapsBackward,
                         shards: shards)
}

/// Float sums, as before `distributed.exact`: micro-batches accumulate in the model's gradient
/// buffer, `GradientSync` all-reduces it (overlapped with the last backward), the head's
/// gradients follow in one all-reduce, and the loss and a non-finite flag in one more.
final class FloatStepSync: StepSync {
    private let comm: Communicator
    private let sync: GradientSync
    private let extraGradients: UnsafeMutableBufferPointer<Float>?
    private var lossSum = 0.0
    private var nonFinite = false

    init(comm: Communicator, gradients: UnsafeMutableBufferPointer<Float>, extraGradients: UnsafeMutableBufferPointer<Float>?,
         bucketMiB: Double, overlap: Bool, shards: ShardPartition?) {
        self.comm = comm
        self.extraGradients = extraGradients
        sync = GradientSync(comm: comm, gradients: gradients, bucketMiB: bucketMiB, overlap: overlap, shards: shards)
    }

    func beginStep() {
        sync.beginStep()
        lossSum = 0
        nonFinite = false
    }

    // Only the last micro-batch's ranges matter: earlier ones are still being accumulated.
    func wantsRanges(last: Bool) -> Bool { last && sync.overlap }

    func gradientsFinal(_ range: Range<Int>, last: Bool) throws(CollectiveError) { try sync.gradientsFinal(range) }

    func endMicroBatch(loss: Double, reportedRanges: Bool, last: Bool) throws(CollectiveError) {
        lossSum += loss
        if !loss.isFinite { nonFinite = true }
    }

    func finish() throws(CollectiveError) -> (lossSum: Double, nonFinite: Double) {
        try sync.finish()
        if let extraGradients, comm.size > 1 { try comm.allReduceSum(extraGradients) }
        let totals = try comm.sum([lossSum, nonFinite ? 1 : 0])
        return (totals[0], totals[1])
    }

    var exposedSeconds: Double { sync.exposedSeconds }
    var totalSeconds: Double { sync.totalSeconds }
    var encodeSeconds: Double { 0 }
    var decodeSeconds: Double { 0 }
    var inBackwardSeconds: Double { sync.inBackwardSeconds }
}
