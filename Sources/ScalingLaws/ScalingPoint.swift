/// One measured run: N non-embedding parameters trained on D tokens reached held-out loss L.
public struct ScalingPoint: Sendable, Equatable, Codable {
    /// Non-embedding parameters (Kaplan et al. 2020's N).
    public var n: Double
    /// Training tokens.
    public var d: Double
    /// Final held-out loss (nats per token).
    public var loss: Double

    /// A point from its three coordinates.
    public init(n: Double, d: Double, loss: Double) {
        self.n = n
        self.d = d
        self.loss = loss
    }
}

/// Why a fit could not be made, in words a user can act on.
public struct FitError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What is wrong and how to fix it.
    public let message: String
    /// An error with this message.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
