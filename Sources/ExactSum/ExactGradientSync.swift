import Collectives
import Dispatch

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
    /// Elements the step's first micro-batch has written so far (all of them once it is done).
    private var written = 0
    /// ZeRO-1's shards, one consecutive range per rank: the limbs are reduce-scattered and only
    /// this rank's shard is decoded (the rest of the buffer stays zero). Nil: every element.
    private let shards: [Range<Int>]?
    /// Seconds this step spent encoding (absorbing) gradients, for `trainer bench --profile`.
    public private(set) var encodeSeconds = 0.0
    /// Seconds this step spent decoding the summed limbs (within `finish`).
    public private(set) var decodeSeconds = 0.0
    /// Seconds this step's backward spent starting buckets and driving those in flight (MPI
    /// does the reduction's arithmetic inside these calls, on this rank's core).
    public private(set) var inBackwardSeconds = 0.0

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
        encodeSeconds = 0
        decodeSeconds = 0
        inBackwardSeconds = 0
        sum.reset(zeroingLimbs: false)  // the first micro-batch writes every element's limbs
        written = 0
        pending = nil
        started = 0
    }

    /// Call after each micro-batch's backward: the first one must have written every element
    /// (backward's ranges cover the buffer once), since the limbs were not zeroed.
    public func endMicroBatch() throws(CollectiveError) {
        guard written < gradients.count else { return }
        throw CollectiveError(operation: "exact gradient sum", reason: "the step's first micro-batch reported \(written) of \(gradients.count) gradients as final; its ranges must cover the buffer")
    }

    /// Backward's callback, for every micro-batch: `range` is final for this micro-batch. Its
    /// gradient moves into the accumulator (the buffer's range becomes zero); on the step's
    /// `last` micro-batch, full buckets start their all-reduce.
    public func gradientsFinal(_ range: Range<Int>, last: Bool) throws(CollectiveError) {
        try absorb(range)
        guard last, overlap else { return }
        // Backward reports ranges from the end of the buffer to its start.
        inBackwardSeconds += try Self.seconds { () throws(CollectiveError) in
            if let p = pending, p.lowerBound == range.upperBound {
                pending = range.lowerBound..<p.upperBound
            } else {
                try flush()
                pending = range
            }
            if let p = pending, p.count >= bucketElements { try flush() }
        }
    }

    /// Moves `range` into the accumulator: written while the step's first micro-batch writes
    /// each element once (`written` counts them), added afterwards.
    private func absorb(_ range: Range<Int>) throws(CollectiveError) {
        let first = written < gradients.count
        if first {
            guard written + range.count <= gradients.count else {
                throw CollectiveError(operation: "exact gradient sum", reason: "the step's first micro-batch reported more than \(gradients.count) gradients as final; call endMicroBatch after each backward and report each range once")
            }
            written += range.count
        }
        encodeSeconds += Self.seconds { sum.absorb(gradients, range: range, replacing: first) }
    }

    /// Completes the step's sum: reduces what was not started, waits, and writes the nearest
    /// Float of every exact total into the gradient buffer. Returns the out-of-range terms of this
    /// rank (add them to the step's non-finite count, which is then summed across ranks).
    public func finish() throws(CollectiveError) -> Int {
        try endMicroBatch()
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
        decodeSeconds = Self.seconds { sum.decode(shards.map { $0[comm.rank] } ?? 0..<gradients.count, into: gradients) }
        return sum.outOfRange
    }

    /// Wall seconds `body` took (two clock reads: negligible next to a pass over the gradients).
    private static func seconds<E: Error>(_ body: () throws(E) -> Void) throws(E) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }

    private func flush() throws(CollectiveError) {
        guard let p = pending else { return }
        pending = nil
        try sum.startReduce(p, comm: comm, pieceElements: bucketElements, shards: shards)
        started += p.count
        try sum.progress(comm: comm)
    }
}
