/// An error that every rank of the job knows about, raised identically on all of them by
/// `Communicator.agree`, so they can all stop cleanly instead of one aborting the job.
public struct RankFailure: Error, CustomStringConvertible, Sendable {
    /// The lowest rank that failed.
    public let rank: Int
    /// That rank's error message.
    public let message: String
    public init(rank: Int, message: String) {
        self.rank = rank
        self.message = message
    }
    public var description: String { message }
}

extension Communicator {
    /// Runs `body` on every rank (or only on rank 0 with `onlyRoot`), then makes the ranks agree on
    /// the outcome: when any rank failed, every rank throws the same `RankFailure` carrying the
    /// lowest failing rank's message; otherwise each returns its own result (nil where it did
    /// not run). Costs two small collectives.
    public func agree<T>(onlyRoot: Bool = false, _ body: () throws -> T) throws -> T? {
        var result: T? = nil
        var message: String? = nil
        if !onlyRoot || isRoot {
            do { result = try body() } catch { message = "\(error)" }
        }
        let flag = UnsafeMutableBufferPointer<Int64>.allocate(capacity: 1)
        defer { flag.deallocate() }
        flag[0] = message == nil ? 0 : Int64(size - rank)  // the max picks the lowest failing rank
        try allReduceMax(flag)
        guard flag[0] > 0 else { return result }
        let failing = size - Int(flag[0])
        let shared = try broadcast(bytes: Array((message ?? "").utf8), root: failing)
        throw RankFailure(rank: failing, message: String(decoding: shared, as: UTF8.self))
    }
}
