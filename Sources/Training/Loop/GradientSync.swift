import Collectives
import Foundation
import GPT

/// Sums the flat gradient buffer across ranks in buckets of contiguous parameters.
///
/// With overlap on, the model's backward pass reports ranges whose gradients are final, and a
/// bucket's nonblocking all-reduce starts as soon as it has filled, while backward goes on.
/// Ranges arrive from the last layer to the first; adjacent ranges are merged into one bucket.
public final class GradientSync {
    private let comm: Communicator
    private let gradients: UnsafeMutableBufferPointer<Float>
    private let bucketElements: Int
    /// Whether buckets start during backward (else everything is reduced after it).
    public let overlap: Bool
    private var pendingRange: Range<Int>? = nil
    private var inFlight: [PendingReduction] = []
    private var reduced = 0
    /// Seconds `finish` took, last step: waiting for the slowest rank and the transfer left then
    /// (`trainer bench` tells them apart from every rank's compute time, `StepSplit`).
    public private(set) var exposedSeconds = 0.0
    /// Seconds from the first bucket's start to the end of the all-reduce, last step; equals
    /// `exposedSeconds` without overlap, and includes the part hidden behind backward with it.
    public private(set) var totalSeconds = 0.0
    private var firstStart: Double? = nil
    /// Seconds backward's callbacks spent starting buckets and driving those in flight, last step.
    public private(set) var inBackwardSeconds = 0.0
    /// ZeRO-1's shards (`distributed.shard_optimizer`): buckets are reduce-scattered, so only this
    /// rank's shard of the buffer ends with the sum. Nil: all-reduced, every element summed.
    private let shards: ShardPartition?

    /// Sums `gradients` in buckets of `bucketMiB` MiB, all-reduced or, with `shards`, reduce-scattered.
    public init(comm: Communicator, gradients: UnsafeMutableBufferPointer<Float>, bucketMiB: Double, overlap: Bool,
                shards: ShardPartition? = nil) {
        self.comm = comm
        self.shards = shards
        self.gradients = gradients
        self.bucketElements = max(1024, Int(bucketMiB * 1024 * 1024) / MemoryLayout<Float>.size)
        self.overlap = overlap && comm.size > 1
    }

    /// Call before the backward pass whose gradients are the step's last contribution.
    public func beginStep() {
        pendingRange = nil
        inFlight.removeAll(keepingCapacity: true)
        reduced = 0
        exposedSeconds = 0
        totalSeconds = 0
        inBackwardSeconds = 0
        firstStart = nil
    }

    /// The backward pass's callback: `range` of the gradient buffer is final on this rank.
    public func gradientsFinal(_ range: Range<Int>) throws(CollectiveError) {
        guard overlap else { return }
        let start = monotonicSeconds()
        defer { inBackwardSeconds += monotonicSeconds() - start }
        if let pending = pendingRange, pending.lowerBound == range.upperBound {
            pendingRange = range.lowerBound..<pending.upperBound
        } else if let pending = pendingRange, pending.upperBound == range.lowerBound {
            pendingRange = pending.lowerBound..<range.upperBound
        } else {
            try flushPending()
            pendingRange = range
        }
        if let pending = pendingRange, pending.count >= bucketElements { try flushPending() }
    }

    /// Completes the sum of every gradient: reduces what was not started and waits for the rest.
    public func finish() throws(CollectiveError) {
        guard comm.size > 1 else { return }
        let start = monotonicSeconds()
        if overlap {
            try flushPending()
            for request in inFlight { try comm.wait(request) }
            inFlight.removeAll(keepingCapacity: true)
            if reduced != gradients.count {
                throw CollectiveError(operation: "gradient all-reduce", reason: "backward reported \(reduced) of \(gradients.count) gradients as final; the buckets do not cover the buffer")
            }
        } else {
            var offset = 0
            while offset < gradients.count {
                let n = min(bucketElements, gradients.count - offset)
                let bucket = UnsafeMutableBufferPointer(rebasing: gradients[offset..<offset + n])
                if let shards { try comm.reduceScatterSum(bucket, counts: shards.counts(of: offset..<offset + n)) } else { try comm.allReduceSum(bucket) }
                offset += n
            }
        }
        let end = monotonicSeconds()
        exposedSeconds = end - start
        totalSeconds = firstStart.map { end - $0 } ?? exposedSeconds
    }

    private func flushPending() throws(CollectiveError) {
        guard let range = pendingRange else { return }
        pendingRange = nil
        if firstStart == nil { firstStart = monotonicSeconds() }
        var offset = range.lowerBound
        while offset < range.upperBound {
            let n = min(bucketElements, range.upperBound - offset)
            let bucket = UnsafeMutableBufferPointer(rebasing: gradients[offset..<offset + n])
            if let shards {
                inFlight.append(try comm.startReduceScatterSum(bucket, counts: shards.counts(of: offset..<offset + n)))
            } else {
                inFlight.append(try comm.startAllReduceSum(bucket))
            }
            offset += n
        }
        reduced += range.count
        try progress()
    }

    /// Drives the buckets in flight (MPI moves nonblocking collectives only inside MPI calls) and
    /// drops the completed ones, whose temporary buffers Open MPI then frees.
    private func progress() throws(CollectiveError) {
        var i = 0
        while i < inFlight.count {
            if try comm.test(inFlight[i]) { inFlight.remove(at: i) } else { i += 1 }
        }
    }
}
