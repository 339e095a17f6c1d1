/// The processes that prepare data together (the MPI ranks; Training adapts its communicator).
/// Every member calls the same operations in the same order.
public protocol PreparationGroup {
    /// This member's index, 0 ..< size; member 0 decides and writes the manifest.
    var rank: Int { get }
    /// The number of members.
    var size: Int { get }
    /// Runs `body` on every member (or only on member 0), then fails on every member with the same
    /// error when any member failed, so that all stop together; returns `body`'s result where it ran.
    func agree<T>(onlyRoot: Bool, _ body: () throws -> T) throws -> T?
    /// Member 0's bytes, on every member.
    func broadcast(_ bytes: [UInt8]) throws -> [UInt8]
    /// Every member's bytes, in member order, on every member.
    func allGather(_ bytes: [UInt8]) throws -> [[UInt8]]
}

/// A group of one: preparation in a single process.
public struct SingleProcess: PreparationGroup {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func agree<T>(onlyRoot: Bool, _ body: () throws -> T) throws -> T? { try body() }
    public func broadcast(_ bytes: [UInt8]) throws -> [UInt8] { bytes }
    public func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] { [bytes] }
}
