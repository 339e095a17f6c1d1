/// A failure in the Data module, with a message that says what was wrong, where, and how to fix it.
public struct DataError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The full human-readable message.
    public let message: String

    /// Makes an error from a complete message.
    public init(_ message: String) {
        self.message = message
    }

    /// The message, so that printing the error shows it.
    public var description: String { message }
}
