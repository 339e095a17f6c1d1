import CMPI
import Foundation

/// MPI_COMM_WORLD through the CMPI C wrapper.
///
/// Create one per process with `MPICommunicator.start()`, and call `finish()` after the last
/// collective. Only the main thread may call it (MPI_THREAD_FUNNELED).
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// True when this process was started by mpirun (or another PMIx launcher).
    public static var launchedByMPI: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["OMPI_COMM_WORLD_SIZE"] != nil || env["PMIX_RANK"] != nil || env["PMI_RANK"] != nil
    }

    /// Initializes MPI and returns the world communicator. The corresponding C function is `MPI_Init_thread`.
    /// First it arms `ParentWatch`, so that the rank dies with its mpirun or orted.
    public static func start() throws(CollectiveError) -> MPICommunicator {
        if !ParentWatch.arm() { ParentWatch.stopIfOrphaned() }
        try check(CMPI_init(), "MPI initialization")
        var r: Int32 = 0, s: Int32 = 0
        try check(CMPI_rank(&r), "MPI_Comm_rank")
        try check(CMPI_size(&s), "MPI_Comm_size")
        return MPICommunicator(rank: Int(r), size: Int(s))
    }

    /// Finalizes MPI. The corresponding C function is `MPI_Finalize`.
    public func finish() {
        fflush(nil)  // nil flushes every C stream
        if CMPI_is_initialized() != 0 { _ = CMPI_finalize() }
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws(CollectiveError) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        try Self.check(CMPI_allreduce_sum_float(base, buffer.count), "all-reduce (sum of \(buffer.count) floats)")
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws(CollectiveError) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        try Self.check(CMPI_allreduce_sum_double(base, buffer.count), "all-reduce (sum of \(buffer.count) doubles)")
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Int64>) throws(CollectiveError) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        try Self.check(CMPI_allreduce_sum_int64(base, buffer.count), "all-reduce (sum of \(buffer.count) integers)")
    }

    public func allReduceMax(_ buffer: UnsafeMutableBufferPointer<Int64>) throws(CollectiveError) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        try Self.check(CMPI_allreduce_max_int64(base, buffer.count), "all-reduce (max of \(buffer.count) integers)")
    }

    public func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws(CollectiveError) -> PendingReduction {
        var id: UInt64 = 0
        try Self.check(CMPI_iallreduce_sum_float(buffer.baseAddress, buffer.count, &id), "nonblocking all-reduce")
        return PendingReduction(id: id)
    }

    public func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Int64>) throws(CollectiveError) -> PendingReduction {
        var id: UInt64 = 0
        try Self.check(CMPI_iallreduce_sum_int64(buffer.baseAddress, buffer.count, &id), "nonblocking all-reduce of integers")
        return PendingReduction(id: id)
    }

    public func startReduceScatterSum(_ buffer: UnsafeMutableBufferPointer<Float>, counts: [Int]) throws(CollectiveError) -> PendingReduction {
        let operation = "nonblocking reduce-scatter of \(buffer.count) floats"
        try checkScatterCounts(counts, elements: buffer.count, operation: operation)
        var id: UInt64 = 0
        try Self.check(CMPI_ireduce_scatter_sum_float(buffer.baseAddress, counts, Int32(size), &id), operation)
        return PendingReduction(id: id)
    }

    public func startReduceScatterSum(_ buffer: UnsafeMutableBufferPointer<Int64>, counts: [Int]) throws(CollectiveError) -> PendingReduction {
        let operation = "nonblocking reduce-scatter of \(buffer.count) integers"
        try checkScatterCounts(counts, elements: buffer.count, operation: operation)
        var id: UInt64 = 0
        try Self.check(CMPI_ireduce_scatter_sum_int64(buffer.baseAddress, counts, Int32(size), &id), operation)
        return PendingReduction(id: id)
    }

    public func wait(_ pending: PendingReduction) throws(CollectiveError) {
        try Self.check(CMPI_wait(pending.id), "wait for all-reduce")
    }

    public func test(_ pending: PendingReduction) throws(CollectiveError) -> Bool {
        var done: Int32 = 0
        try Self.check(CMPI_test(pending.id, &done), "test of all-reduce")
        return done != 0
    }

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws(CollectiveError) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        try Self.check(CMPI_broadcast(base, buffer.count, Int32(root)), "broadcast of \(buffer.count) bytes from rank \(root)")
    }

    public func allGather(_ buffer: UnsafeMutableBufferPointer<Float>, ranges: [Range<Int>]) throws(CollectiveError) {
        let operation = "all-gather of \(buffer.count) floats"
        guard ranges.count == size, ranges.allSatisfy({ $0.lowerBound >= 0 && $0.upperBound <= buffer.count }) else {
            throw CollectiveError(operation: operation, reason: "expected \(size) ranges within the buffer, got \(ranges)")
        }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let counts = ranges.map(\.count), displacements = ranges.map(\.lowerBound)
        try Self.check(CMPI_allgatherv_float(base, counts, displacements, Int32(size)), operation)
    }

    public func barrier() throws(CollectiveError) {
        try Self.check(CMPI_barrier(), "barrier")
    }

    public func abort(code: Int32, message: String) -> Never {
        CMPI_abort(code, message)
        exit(code)  // MPI_Abort does not return; this satisfies the type checker.
    }

    private static func check(_ rc: Int32, _ operation: String) throws(CollectiveError) {
        guard rc != 0 else { return }
        var text = [CChar](repeating: 0, count: 512)
        CMPI_error_string(rc, &text, text.count)
        let bytes = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        throw CollectiveError(operation: operation, reason: String(decoding: bytes, as: UTF8.self))
    }
}
