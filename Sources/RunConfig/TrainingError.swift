/// A failure of a run that is not a configuration or collective error: one line a user can act on.
public struct TrainingError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
