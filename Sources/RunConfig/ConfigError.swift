/// A configuration problem, reported as one line naming the field and the fix.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    /// Where the problem is: a file path, or a dotted field such as `model.n_head`.
    public let location: String
    /// What is wrong and how to fix it.
    public let message: String

    public init(_ location: String, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}
