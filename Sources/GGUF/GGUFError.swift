/// A GGUF export or read that failed: what was wrong, where, and how to fix it.
public struct GGUFError: Error, CustomStringConvertible, Equatable {
    /// The message shown to the user: one line naming the problem and the fix.
    public let description: String

    /// An error with `description` as its message.
    public init(_ description: String) { self.description = description }
}
