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
    /// Runs `body` on every rank, then makes the ranks agree on the outcome: when any rank
    /// failed, every rank throws the same `RankFailure` carrying the lowest failing rank's
    /// message; otherwise each returns its own result. Costs two small collectives.
    public func agree<T>(_ body: () throws -> T) throws -> T {
        try agreeing(run: true, body)!
    }

    /// Runs `body` on rank 0 only, then makes the ranks agree on the outcome as `agree` does:
    /// rank 0 gets its result, the other ranks nil, or every rank the same `RankFailure`.
    public func agreeOnRoot<T>(_ body: () throws -> T) throws -> T? {
        try agreeing(run: isRoot, body)
    }

    /// `body`'s result where `run` is true (nil elsewhere), once every rank knows that none failed.
    private func agreeing<T>(run: Bool, _ body: () throws -> T) throws -> T? {
        var result: T? = nil
        var message: String? = nil
        if run {
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
