import Collectives
import ExactSum
import GPT

/// Exact sums for `distributed.exact`: every micro-batch's gradient leaves the model's buffer for
/// an integer accumulator as backward finishes each range (`ExactGradientSync`), the head's
/// gradient likewise after each backward, and the losses and non-finite counts go into
/// `ExactDoubleSums`. Integer sums do not depend on their order, so the totals, and with them the
/// clipping norm and the update, are the same bits for any ranks × threads layout of the step.
final class ExactStepSync: StepSync {
    private let comm: Communicator
    private let gradients: UnsafeMutableBufferPointer<Float>
    private let model: ExactGradientSync
    private let extraGradients: UnsafeMutableBufferPointer<Float>?
    private let extra: ExactGradientSum?
    /// [loss sum, non-finite losses, gradient terms out of range] of this rank's micro-batches.
    private var scalars = ExactDoubleSums(count: 3)
    private var firstStart: Double? = nil
    private(set) var exposedSeconds = 0.0
    private(set) var totalSeconds = 0.0
    var encodeSeconds: Double { model.encodeSeconds }
    var decodeSeconds: Double { model.decodeSeconds }
    var inBackwardSeconds: Double { model.inBackwardSeconds }

    /// Sums `gradients` in buckets of about `bucketMiB` MiB of limbs (started during the last
    /// backward with `overlap`) and `extraGradients` after them; encodes on `threads` threads.
    init(comm: Communicator, gradients: UnsafeMutableBufferPointer<Float>, extraGradients: UnsafeMutableBufferPointer<Float>?,
         bucketMiB: Double, overlap: Bool, threads: Int, shards: ShardPartition?) {
        self.comm = comm
        self.gradients = gradients
        self.extraGradients = extraGradients
        model = ExactGradientSync(comm: comm, gradients: gradients, bucketMiB: bucketMiB, overlap: overlap, threads: threads,
                                  shards: shards?.shards)
        extra = extraGradients.map { ExactGradientSum(count: $0.count) }
    }

    func beginStep() {
        model.beginStep()
        extra?.reset()
        scalars = ExactDoubleSums(count: 3)
        firstStart = nil
    }

    // Every micro-batch: its gradient must leave the Float buffer before the next one adds to it.
    func wantsRanges(last: Bool) -> Bool { true }

    func gradientsFinal(_ range: Range<Int>, last: Bool) throws(CollectiveError) {
        if last, model.overlap, firstStart == nil { firstStart = monotonicSeconds() }
        try model.gradientsFinal(range, last: last)
    }

    func endMicroBatch(loss: Double, reportedRanges: Bool, last: Bool) throws(CollectiveError) {
        // An objective whose backward reports no ranges: its whole gradient is final now.
        if !reportedRanges { try gradientsFinal(0..<gradients.count, last: last) }
        try model.endMicroBatch()
        if let extra, let extraGradients { extra.absorb(extraGradients, range: 0..<extraGradients.count) }
        scalars.add(loss, at: 0)
        if !loss.isFinite { scalars.add(1, at: 1) }
    }

    func finish() throws(CollectiveError) -> (lossSum: Double, nonFinite: Double) {
        let start = monotonicSeconds()
        // Terms that are not finite or too large to encode count as non-finite values.
        var outOfRange = try model.finish()
        // Timed as `GradientSync.finish` is, so that `trainer bench` compares like with like.
        let end = monotonicSeconds()
        exposedSeconds = end - start
        totalSeconds = firstStart.map { end - $0 } ?? exposedSeconds
        if let extra, let extraGradients {
            try extra.reduce(0..<extra.count, comm: comm)
            extra.decode(0..<extra.count, into: extraGradients)
            outOfRange += extra.outOfRange
        }
        scalars.add(Double(outOfRange), at: 2)
        try scalars.allReduce(comm: comm)
        // A term that could not be added (NaN, ±∞, |g| ≥ 2¹⁹) added nothing; as in a Float sum,
        // the total then reads NaN, so that the norm says so and the update is skipped.
        if scalars.value(at: 2) > 0, !gradients.isEmpty { gradients[0] = .nan }
        return (scalars.value(at: 0), scalars.value(at: 1) + scalars.value(at: 2))
    }
}
