import Collectives

/// The exact counterpart of the training loop's `GradientSync`: every micro-batch's gradient
/// ranges are absorbed into an `ExactGradientSum` as backward reports them; during the step's
/// last backward, ranges are gathered into buckets whose Int64 all-reduce starts at once (overlap);
/// `finish` reduces the rest, waits and writes the rounded sums back into the Float buffer.
public final class ExactGradientSync {
    private let comm: Communicator
    private let gradients: UnsafeMutableBufferPointer<Float>
    /// The exact accumulator (16 bytes per gradient element).
    public let sum: ExactGradientSum
    private let bucketElements: Int
    /// Whether buckets start during the last backward (else everything is reduced in `finish`).
    public let overlap: Bool
    private var pending: Range<Int>? = nil
    private var started = 0
    /// ZeRO-1's shards, one consecutive range per rank: the limbs are reduce-scattered and only
    /// this rank's shard is decoded (the rest of the buffer stays zero). Nil: every element.
    private let shards: [Range<Int>]?

    /// Sums `gradients` across ranks in buckets of about `bucketMiB` MiB of Int64 limbs; encodes
    /// and decodes on `threads` threads; with `shards`, into this rank's shard only.
    public init(comm: Communicator, gradients: UnsafeMutableBufferPointer<Float>, bucketMiB: Double, overlap: Bool, threads: Int,
                shards: [Range<Int>]? = nil) {
        self.comm = comm
        self.shards = shards
        self.gradients = gradients
        sum = ExactGradientSum(count: gradients.count)
        sum.threads = threads
        bucketElements = max(1024, Int(bucketMiB * 1024 * 1024) / 16)
        self.overlap = overlap && comm.size > 1
    }

    /// Call at the start of a step, with the gradient buffer at zero.
    public func beginStep() {
        sum.reset()
        pending = nil
        started = 0
    }

    /// Backward's callback, for every micro-batch: `range` is final for this micro-batch. Its
    /// gradient moves into the accumulator (the buffer's range becomes zero); on the step's
    /// `last` micro-batch, full buckets start their all-reduce.
    public func gradientsFinal(_ range: Range<Int>, last: Bool) throws(CollectiveError) {
        sum.absorb(gradients, range: range)
        guard last, overlap else { return }
        // Backward reports ranges from the end of the buffer to its start.
        if let p = pending, p.lowerBound == range.upperBound {
            pending = range.lowerBound..<p.upperBound
        } else {
            try flush()
            pending = range
        }
        if let p = pending, p.count >= bucketElements { try flush() }
    }

    /// Absorbs a whole micro-batch gradient at once (objectives that report no ranges).
    public func absorbAll() {
        sum.absorb(gradients, range: 0..<gradients.count)
    }

    /// Completes the step's sum: reduces what was not started, waits, and writes the nearest
    /// Float of every exact total into the gradient buffer. Returns the out-of-range terms of this
    /// rank (add them to the step's non-finite count, which is then summed across ranks).
    public func finish() throws(CollectiveError) -> Int {
        if overlap {
            try flush()
            if started != gradients.count {
                throw CollectiveError(operation: "exact gradient all-reduce", reason: "backward reported \(started) of \(gradients.count) gradients as final on the last micro-batch; the buckets do not cover the buffer")
            }
        } else {
            var first = 0
            while first < gradients.count {
                let n = min(bucketElements, gradients.count - first)
                try sum.reduce(first..<(first + n), comm: comm, shards: shards)
                first += n
            }
        }
        try sum.wait(comm: comm)
        sum.decode(shards.map { $0[comm.rank] } ?? 0..<gradients.count, into: gradients)
        return sum.outOfRange
    }

    private func flush() throws(CollectiveError) {
        guard let p = pending else { return }
        pending = nil
        try sum.startReduce(p, comm: comm, pieceElements: bucketElements, shards: shards)
        started += p.count
        try sum.progress(comm: comm)
    }
}
