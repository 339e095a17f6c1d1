/// Huber's loss: quadratic within δ of zero, linear beyond, so that a few bad cells pull the fit
/// less than under least squares.
public struct HuberLoss: Sendable, Equatable {
    /// The transition point δ (Hoffmann et al. use 1e-3 on log-loss residuals).
    public var delta: Double

    /// A Huber loss with transition point `delta`.
    public init(delta: Double) { self.delta = delta }

    /// The loss of residual `r`.
    public func value(_ r: Double) -> Double {
        abs(r) <= delta ? 0.5 * r * r : delta * (abs(r) - 0.5 * delta)
    }

    /// The derivative of the loss at `r`.
    public func derivative(_ r: Double) -> Double {
        abs(r) <= delta ? r : (r > 0 ? delta : -delta)
    }
}
