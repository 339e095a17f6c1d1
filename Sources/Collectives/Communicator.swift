/// The collective operations a data-parallel trainer needs, independent of how ranks talk.
///
/// Every rank must call the same collectives in the same order; a rank that skips one leaves the
/// others waiting. All reductions are in place.
public protocol Communicator: AnyObject {
    /// This process's index, 0 ..< size.
    var rank: Int { get }
    /// The number of processes in the job.
    var size: Int { get }
    /// Sums `buffer` element-wise across ranks, in place.
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws(CollectiveError)
    /// Sums `buffer` element-wise across ranks, in place.
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws(CollectiveError)
    /// Sums `buffer` element-wise across ranks, in place: exact, so the bits do not depend on the
    /// reduction order (callers keep the sums below 2⁶³; they wrap otherwise).
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Int64>) throws(CollectiveError)
    /// Takes the element-wise maximum across ranks, in place.
    func allReduceMax(_ buffer: UnsafeMutableBufferPointer<Int64>) throws(CollectiveError)
    /// Starts a nonblocking in-place sum of `buffer`; the buffer must not be touched until `wait`.
    func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws(CollectiveError) -> PendingReduction
    /// Starts a nonblocking in-place exact sum of `buffer` (as the Int64 `allReduceSum`); the buffer
    /// must not be touched until `wait`.
    func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Int64>) throws(CollectiveError) -> PendingReduction
    /// Starts a nonblocking sum reduce-scatter: `buffer` holds this rank's whole vector, rank r's
    /// block is `counts[r]` elements from the sum of the counts before it (the same counts on every
    /// rank, adding up to `buffer.count`). Once `wait` or `test` reports it complete, this rank's
    /// block holds the sum over ranks; the rest of `buffer` is unspecified. ZeRO-1's gradients.
    func startReduceScatterSum(_ buffer: UnsafeMutableBufferPointer<Float>, counts: [Int]) throws(CollectiveError) -> PendingReduction
    /// `startReduceScatterSum` of Int64 values: exact sums (the exact gradient limbs).
    func startReduceScatterSum(_ buffer: UnsafeMutableBufferPointer<Int64>, counts: [Int]) throws(CollectiveError) -> PendingReduction
    /// Blocks until a reduction started with `startAllReduceSum` is complete.
    func wait(_ pending: PendingReduction) throws(CollectiveError)
    /// Advances a reduction started with `startAllReduceSum` and returns whether it is complete;
    /// once it has returned true, the reduction must not be waited for or tested again.
    func test(_ pending: PendingReduction) throws(CollectiveError) -> Bool
    /// In place: rank r's floats at `ranges[r]` of `buffer` reach every rank's same range, so every
    /// rank ends with every range (Muon's packed updates). `ranges` has one entry per rank, the same
    /// on every rank, consecutive from 0 (Muon's `MuonAssignment.rankRanges`).
    func allGather(_ buffer: UnsafeMutableBufferPointer<Float>, ranges: [Range<Int>]) throws(CollectiveError)
    /// Copies rank `root`'s bytes into every other rank's buffer.
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws(CollectiveError)
    /// Returns when every rank has arrived.
    func barrier() throws(CollectiveError)
    /// Ends every rank of the job at once with `code`, after printing `message` on stderr.
    func abort(code: Int32, message: String) -> Never
    /// Ends this process's part in the job (MPI_Finalize) before it exits; every rank calls it.
    func finish()
}

/// A reduction in flight; pass it back to `Communicator.wait`.
public struct PendingReduction: Sendable {
    /// The transport's own id for the request.
    public let id: UInt64
    public init(id: UInt64) { self.id = id }
}

/// A collective operation that failed, with the operation's name and the transport's reason.
public struct CollectiveError: Error, CustomStringConvertible, Sendable {
    /// The operation that failed, e.g. "all-reduce".
    public let operation: String
    /// The transport's explanation.
    public let reason: String
    public init(operation: String, reason: String) {
        self.operation = operation
        self.reason = reason
    }
    public var description: String { "\(operation) failed: \(reason)" }
}

extension Communicator {
    /// A world without a transport has nothing to end.
    public func finish() {}

    /// True on the rank that owns logging, checkpoints and the schedule.
    public var isRoot: Bool { rank == 0 }

    /// Blocking `startReduceScatterSum`: on return this rank's block of `buffer` holds the sum.
    public func reduceScatterSum(_ buffer: UnsafeMutableBufferPointer<Float>, counts: [Int]) throws(CollectiveError) {
        try wait(try startReduceScatterSum(buffer, counts: counts))
    }

    /// Blocking `startReduceScatterSum` of Int64 values.
    public func reduceScatterSum(_ buffer: UnsafeMutableBufferPointer<Int64>, counts: [Int]) throws(CollectiveError) {
        try wait(try startReduceScatterSum(buffer, counts: counts))
    }

    /// Throws unless `counts` has one entry per rank, none negative, adding up to `elements`.
    public func checkScatterCounts(_ counts: [Int], elements: Int, operation: String) throws(CollectiveError) {
        guard counts.count == size, counts.allSatisfy({ $0 >= 0 }), counts.reduce(0, +) == elements else {
            throw CollectiveError(operation: operation, reason: "expected \(size) counts adding up to \(elements), got \(counts)")
        }
    }

    /// Sums one value across ranks.
    public func sum(_ value: Double) throws(CollectiveError) -> Double {
        var v = value
        try withUnsafeMutablePointer(to: &v) { (p) throws(CollectiveError) in
            try allReduceSum(UnsafeMutableBufferPointer(start: p, count: 1))
        }
        return v
    }

    /// Sums several values across ranks in one collective.
    public func sum(_ values: [Double]) throws(CollectiveError) -> [Double] {
        let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: values.count)
        defer { buffer.deallocate() }
        _ = buffer.initialize(from: values)
        try allReduceSum(buffer)
        return [Double](buffer)
    }

    /// Broadcasts rank 0's value of a trivially copyable struct to every rank.
    public func broadcast<T: BitwiseCopyable>(_ value: T, root: Int = 0) throws(CollectiveError) -> T {
        var v = value
        try withUnsafeMutableBytes(of: &v) { (p) throws(CollectiveError) in try broadcast(p, root: root) }
        return v
    }

    /// Broadcasts rank 0's bytes, whose length the other ranks need not know in advance.
    public func broadcast(bytes: [UInt8], root: Int = 0) throws(CollectiveError) -> [UInt8] {
        let count = try broadcast(Int64(bytes.count), root: root)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(count), alignment: 8)
        defer { buffer.deallocate() }
        if rank == root { buffer.copyBytes(from: bytes) }
        try broadcast(buffer, root: root)
        return [UInt8](buffer)
    }
}
