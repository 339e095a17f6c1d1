import Foundation

/// A world of one process: every collective is the identity, so single-process runs and tests
/// need no MPI.
public final class LocalCommunicator: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws(CollectiveError) {}
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws(CollectiveError) {}
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Int64>) throws(CollectiveError) {}
    public func allReduceMax(_ buffer: UnsafeMutableBufferPointer<Int64>) throws(CollectiveError) {}
    public func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws(CollectiveError) -> PendingReduction {
        PendingReduction(id: 0)
    }
    public func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Int64>) throws(CollectiveError) -> PendingReduction {
        PendingReduction(id: 0)
    }
    public func startReduceScatterSum(_ buffer: UnsafeMutableBufferPointer<Float>, counts: [Int]) throws(CollectiveError) -> PendingReduction {
        // The one rank's block is the whole buffer, already its own sum.
        try checkScatterCounts(counts, elements: buffer.count, operation: "reduce-scatter")
        return PendingReduction(id: 0)
    }
    public func startReduceScatterSum(_ buffer: UnsafeMutableBufferPointer<Int64>, counts: [Int]) throws(CollectiveError) -> PendingReduction {
        try checkScatterCounts(counts, elements: buffer.count, operation: "reduce-scatter")
        return PendingReduction(id: 0)
    }
    public func wait(_ pending: PendingReduction) throws(CollectiveError) {}
    public func test(_ pending: PendingReduction) throws(CollectiveError) -> Bool { true }
    public func allGather(_ buffer: UnsafeMutableBufferPointer<Float>, ranges: [Range<Int>]) throws(CollectiveError) {
        // The one rank's range is already in place; a wrong range list is still an error, as under MPI.
        guard ranges.count == 1, ranges[0].lowerBound == 0, ranges[0].upperBound <= buffer.count else {
            throw CollectiveError(operation: "all-gather", reason: "expected one range within the \(buffer.count) floats, got \(ranges)")
        }
    }
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws(CollectiveError) {}
    public func barrier() throws(CollectiveError) {}
    public func abort(code: Int32, message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        fflush(nil)  // nil flushes every C stream
        exit(code)
    }
}
