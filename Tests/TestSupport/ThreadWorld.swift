import Collectives
import Foundation

/// `size` ranks in one process, one thread each: collectives meet at a barrier and reduce in
/// rank order. A nonblocking reduction completes at its start (every rank starts the same ones
/// in the same order), which is enough to run the real bucket code of several ranks in a test.
public final class ThreadWorld: @unchecked Sendable {
    /// The number of ranks.
    public let size: Int
    private let condition = NSCondition()
    private var arrived = 0, generation = 0
    private var slots: [UnsafeMutableRawPointer?]

    /// A world of `size` ranks.
    public init(size: Int) {
        self.size = size
        slots = Array(repeating: nil, count: size)
    }

    /// Runs `body` on every rank, each on its own thread, and returns the results in rank order.
    public func run<T>(_ body: @escaping @Sendable (Communicator) -> T) -> [T] {
        let results = Results<T>(size)
        let threads = (0..<size).map { r in
            Thread { results.set(r, body(Rank(world: self, rank: r))) }
        }
        for t in threads { t.stackSize = 8 << 20; t.start() }
        while !results.complete { usleep(1000) }
        return results.values
    }

    func barrier() {
        condition.lock()
        let mine = generation
        arrived += 1
        if arrived == size {
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        condition.unlock()
    }

    /// Element-wise sum of every rank's buffer, in rank order, into every rank's buffer.
    func allReduce<E: AdditiveArithmetic>(_ buffer: UnsafeMutableBufferPointer<E>, rank: Int, add: (E, E) -> E) {
        slots[rank] = UnsafeMutableRawPointer(buffer.baseAddress)
        barrier()
        let total = (0..<buffer.count).map { i in
            (1..<size).reduce(slots[0]!.assumingMemoryBound(to: E.self)[i]) { add($0, slots[$1]!.assumingMemoryBound(to: E.self)[i]) }
        }
        barrier()
        _ = buffer.update(fromContentsOf: total)
        barrier()
    }

    /// This rank's block (`counts[rank]` elements after the blocks before it) of every rank's
    /// buffer summed in rank order into this rank's block; the rest of the buffer is left as it was.
    func reduceScatter<E: AdditiveArithmetic>(_ buffer: UnsafeMutableBufferPointer<E>, counts: [Int], rank: Int, add: (E, E) -> E) {
        slots[rank] = UnsafeMutableRawPointer(buffer.baseAddress)
        barrier()
        let first = counts[..<rank].reduce(0, +)
        let block = first..<(first + counts[rank])
        let total = block.map { i in
            (1..<size).reduce(slots[0]!.assumingMemoryBound(to: E.self)[i]) { add($0, slots[$1]!.assumingMemoryBound(to: E.self)[i]) }
        }
        barrier()
        if !block.isEmpty { (buffer.baseAddress! + first).update(from: total, count: total.count) }
        barrier()
    }

    /// Every rank's `ranges[rank]` copied into the same range of every other rank's buffer.
    func allGather(_ buffer: UnsafeMutableBufferPointer<Float>, ranges: [Range<Int>], rank: Int) {
        slots[rank] = UnsafeMutableRawPointer(buffer.baseAddress)
        barrier()
        for (r, range) in ranges.enumerated() where r != rank && !range.isEmpty {
            let source = slots[r]!.assumingMemoryBound(to: Float.self)
            (buffer.baseAddress! + range.lowerBound).update(from: source + range.lowerBound, count: range.count)
        }
        barrier()
    }

    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int, rank: Int) {
        slots[rank] = buffer.baseAddress
        barrier()
        if rank != root, let source = slots[root] { buffer.baseAddress?.copyMemory(from: source, byteCount: buffer.count) }
        barrier()
    }
}

private final class Results<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]
    init(_ n: Int) { slots = Array(repeating: nil, count: n) }
    func set(_ i: Int, _ v: T) { lock.lock(); slots[i] = v; lock.unlock() }
    var complete: Bool { lock.lock(); defer { lock.unlock() }; return slots.allSatisfy { $0 != nil } }
    var values: [T] { slots.map { $0! } }
}

/// One rank of a `ThreadWorld`.
private final class Rank: Communicator {
    let world: ThreadWorld
    let rank: Int
    var size: Int { world.size }
    init(world: ThreadWorld, rank: Int) { self.world = world; self.rank = rank }
    func allReduceSum(_ b: UnsafeMutableBufferPointer<Float>) throws(CollectiveError) { world.allReduce(b, rank: rank, add: +) }
    func allReduceSum(_ b: UnsafeMutableBufferPointer<Double>) throws(CollectiveError) { world.allReduce(b, rank: rank, add: +) }
    func allReduceSum(_ b: UnsafeMutableBufferPointer<Int64>) throws(CollectiveError) { world.allReduce(b, rank: rank, add: &+) }
    func allReduceMax(_ b: UnsafeMutableBufferPointer<Int64>) throws(CollectiveError) { world.allReduce(b, rank: rank, add: max) }
    func startAllReduceSum(_ b: UnsafeMutableBufferPointer<Float>) throws(CollectiveError) -> PendingReduction {
        try allReduceSum(b)
        return PendingReduction(id: 0)
    }
    func startAllReduceSum(_ b: UnsafeMutableBufferPointer<Int64>) throws(CollectiveError) -> PendingReduction {
        try allReduceSum(b)
        return PendingReduction(id: 0)
    }
    func startReduceScatterSum(_ b: UnsafeMutableBufferPointer<Float>, counts: [Int]) throws(CollectiveError) -> PendingReduction {
        try checkScatterCounts(counts, elements: b.count, operation: "reduce-scatter")
        world.reduceScatter(b, counts: counts, rank: rank, add: +)
        return PendingReduction(id: 0)
    }
    func startReduceScatterSum(_ b: UnsafeMutableBufferPointer<Int64>, counts: [Int]) throws(CollectiveError) -> PendingReduction {
        try checkScatterCounts(counts, elements: b.count, operation: "reduce-scatter")
        world.reduceScatter(b, counts: counts, rank: rank, add: &+)
        return PendingReduction(id: 0)
    }
    func wait(_ pending: PendingReduction) throws(CollectiveError) {}
    func test(_ pending: PendingReduction) throws(CollectiveError) -> Bool { true }
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws(CollectiveError) { world.broadcast(buffer, root: root, rank: rank) }
    func allGather(_ b: UnsafeMutableBufferPointer<Float>, ranges: [Range<Int>]) throws(CollectiveError) { world.allGather(b, ranges: ranges, rank: rank) }
    func barrier() throws(CollectiveError) { world.barrier() }
    func abort(code: Int32, message: String) -> Never { fatalError(message) }
}
