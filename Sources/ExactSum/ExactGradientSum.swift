import Collectives
import Dispatch

/// The exact sum of many Float buffers (a step's micro-batch gradients) over every rank: each
/// buffer is added in two-limb fixed point (`FloatFixedPoint`), the limbs are summed across ranks
/// with MPI's Int64 sum, and the total is rounded to Float once. The result is the same bits
/// however the buffers are spread over ranks and in whatever order they are added.
///
/// Memory: 16 bytes per element (4× the Float gradient). Use from one thread (MPI is funneled).
public final class ExactGradientSum {
    /// Elements per buffer.
    public let count: Int
    /// (hi, lo) per element, in element order.
    private let limbs: UnsafeMutableBufferPointer<Int64>
    /// Out-of-range terms (not finite, or |g| ≥ 2¹⁹) added on this rank since `reset`.
    public private(set) var outOfRange = 0
    private var inFlight: [PendingReduction] = []
    /// Threads that encode and decode (each element on one thread, so the bits do not depend on
    /// it); set it to the kernels' count (`KernelThreads.count`).
    public var threads = 1

    /// An accumulator for buffers of `count` Floats, holding zero.
    public init(count: Int) {
        precondition(count >= 0)
        self.count = count
        limbs = .allocate(capacity: 2 * count)
        limbs.initialize(repeating: 0)
    }

    deinit { limbs.deallocate() }

    /// Sets the sum to zero (start of a step); reductions in flight must have been waited for.
    /// With `zeroingLimbs` false only the out-of-range count is reset: every element must then
    /// be written by an `absorb(…, replacing: true)` before it is added to or reduced.
    public func reset(zeroingLimbs: Bool = true) {
        precondition(inFlight.isEmpty, "reset with reductions in flight")
        if zeroingLimbs { limbs.update(repeating: 0) }
        outOfRange = 0
    }

    /// Adds `values` to elements `offset ..< offset + values.count`.
    public func add(_ values: UnsafeBufferPointer<Float>, at offset: Int) {
        precondition(offset >= 0 && offset + values.count <= count, "range outside the accumulator")
        guard let base = values.baseAddress else { return }
        let l = limbs.baseAddress! + 2 * offset
        outOfRange += chunked(values.count) { r in FloatFixedPoint.add(base + r.lowerBound, count: r.count, into: l + 2 * r.lowerBound) }
    }

    /// Adds `buffer[range]` to the same elements and sets `buffer[range]` to zero: a micro-batch's
    /// gradient taken out of the model's buffer, which backward then fills afresh. `replacing`
    /// writes the elements' sums instead of adding to them (the step's first micro-batch, which
    /// saves zeroing the limbs and reading them back; the elements' earlier sums are lost).
    public func absorb(_ buffer: UnsafeMutableBufferPointer<Float>, range: Range<Int>, replacing: Bool = false) {
        precondition(range.lowerBound >= 0 && range.upperBound <= min(buffer.count, count))
        guard let base = buffer.baseAddress, !range.isEmpty else { return }
        let values = base + range.lowerBound, l = limbs.baseAddress! + 2 * range.lowerBound
        outOfRange += chunked(range.count) { r in
            replacing
                ? FloatFixedPoint.encode(values + r.lowerBound, count: r.count, into: l + 2 * r.lowerBound, replacing: true, clearing: true)
                : FloatFixedPoint.encode(values + r.lowerBound, count: r.count, into: l + 2 * r.lowerBound, replacing: false, clearing: true)
        }
    }

    /// Starts the cross-rank sum of elements `range` (nonblocking, in pieces of at most
    /// `pieceElements`); call `wait` before decoding them. With `shards` (ZeRO-1, one consecutive
    /// range per rank) each piece is reduce-scattered: only this rank's shard gets its sums.
    public func startReduce(_ range: Range<Int>, comm: Communicator, pieceElements: Int = 1 << 26,
                            shards: [Range<Int>]? = nil) throws(CollectiveError) {
        guard comm.size > 1 else { return }
        var first = range.lowerBound
        while first < range.upperBound {
            let n = min(max(1, pieceElements), range.upperBound - first)
            let piece = UnsafeMutableBufferPointer(start: limbs.baseAddress! + 2 * first, count: 2 * n)
            if let shards {
                inFlight.append(try comm.startReduceScatterSum(piece, counts: Self.limbCounts(first..<(first + n), shards)))
            } else {
                inFlight.append(try comm.startAllReduceSum(piece))
            }
            first += n
        }
    }

    /// Each shard's limbs (two per element) within elements `range`: a reduce-scatter's counts.
    static func limbCounts(_ range: Range<Int>, _ shards: [Range<Int>]) -> [Int] {
        shards.map { 2 * max(0, min($0.upperBound, range.upperBound) - max($0.lowerBound, range.lowerBound)) }
    }

    /// Drives the reductions in flight and drops those that completed (MPI progresses nonblocking
    /// collectives only inside MPI calls); returns how many are still in flight.
    @discardableResult
    public func progress(comm: Communicator) throws(CollectiveError) -> Int {
        var i = 0
        while i < inFlight.count {
            if try comm.test(inFlight[i]) { inFlight.remove(at: i) } else { i += 1 }
        }
        return inFlight.count
    }

    /// Waits for every reduction started.
    public func wait(comm: Communicator) throws(CollectiveError) {
        for request in inFlight { try comm.wait(request) }
        inFlight.removeAll(keepingCapacity: true)
    }

    /// Sums elements `range` across ranks, blocking (reduce-scattered over `shards` when given).
    public func reduce(_ range: Range<Int>, comm: Communicator, shards: [Range<Int>]? = nil) throws(CollectiveError) {
        guard comm.size > 1, !range.isEmpty else { return }
        let piece = UnsafeMutableBufferPointer(start: limbs.baseAddress! + 2 * range.lowerBound, count: 2 * range.count)
        if let shards { try comm.reduceScatterSum(piece, counts: Self.limbCounts(range, shards)) } else { try comm.allReduceSum(piece) }
    }

    /// Writes the sum of elements `range` (once reduced), rounded to the nearest Float, into
    /// `out[range]`.
    public func decode(_ range: Range<Int>, into out: UnsafeMutableBufferPointer<Float>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= min(count, out.count))
        let l = limbs.baseAddress! + 2 * range.lowerBound, o = out.baseAddress! + range.lowerBound
        _ = chunked(range.count) { r in
            FloatFixedPoint.decode(l + 2 * r.lowerBound, count: r.count, into: o + r.lowerBound)
            return 0
        }
    }

    /// Runs `body` over `0..<n` in one contiguous chunk per thread (chunks of at least 64 Ki
    /// elements) and returns the sum of what the chunks return.
    private func chunked(_ n: Int, _ body: (Range<Int>) -> Int) -> Int {
        let parts = max(1, min(threads, n >> 16))
        guard parts > 1 else { return n > 0 ? body(0..<n) : 0 }
        let results = UnsafeMutableBufferPointer<Int>.allocate(capacity: parts)
        defer { results.deallocate() }
        // Each chunk writes its own elements and its own result slot only.
        withoutActuallyEscaping(body) { body in
            let shared = Shared(body: body, results: results)
            DispatchQueue.concurrentPerform(iterations: parts) { i in
                shared.results[i] = shared.body((n * i / parts)..<(n * (i + 1) / parts))
            }
        }
        return results.reduce(0, +)
    }

    /// The raw limbs of element `index` (hi, lo): for tests that add ranks' accumulators by hand.
    public func limbs(at index: Int) -> (hi: Int64, lo: Int64) { (limbs[2 * index], limbs[2 * index + 1]) }

    /// Adds another accumulator's limbs into this one's, as MPI's sum does across ranks (for
    /// combining simulated ranks in one process).
    public func addLimbs(of other: ExactGradientSum) {
        precondition(other.count == count)
        for i in 0..<(2 * count) { limbs[i] &+= other.limbs[i] }
        outOfRange += other.outOfRange
    }
}

/// A chunk body and its result slots, shared with the worker threads (disjoint writes).
private struct Shared: @unchecked Sendable {
    let body: (Range<Int>) -> Int
    let results: UnsafeMutableBufferPointer<Int>
}
