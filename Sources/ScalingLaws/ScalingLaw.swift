import Foundation

/// Hoffmann et al. (2022)'s parametric loss L(N, D) = E + A/N^α + B/D^β, stored as its fitted
/// log-space parameters a = log A, b = log B, e = log E (natural logarithms).
public struct ScalingLaw: Sendable, Equatable, Codable {
    /// log A.
    public var a: Double
    /// log B.
    public var b: Double
    /// log E.
    public var e: Double
    /// Exponent of the model-size term.
    public var alpha: Double
    /// Exponent of the data term.
    public var beta: Double

    /// A law from its log-space parameters.
    public init(a: Double, b: Double, e: Double, alpha: Double, beta: Double) {
        self.a = a
        self.b = b
        self.e = e
        self.alpha = alpha
        self.beta = beta
    }

    /// A law from its linear-space constants.
    public init(E: Double, A: Double, B: Double, alpha: Double, beta: Double) {
        self.init(a: Foundation.log(A), b: Foundation.log(B), e: Foundation.log(E), alpha: alpha, beta: beta)
    }

    /// The irreducible loss E.
    public var E: Double { exp(e) }
    /// The model-size coefficient A.
    public var A: Double { exp(a) }
    /// The data coefficient B.
    public var B: Double { exp(b) }

    /// The predicted loss for N non-embedding parameters trained on D tokens.
    public func loss(n: Double, d: Double) -> Double { exp(logLoss(logN: log(n), logD: log(d))) }

    /// log L(N, D) as the log-sum-exp of the three terms' logarithms, stable for any parameters.
    public func logLoss(logN: Double, logD: Double) -> Double {
        let u = (a - alpha * logN, b - beta * logD, e)
        let m = max(u.0, u.1, u.2)
        return m + log(exp(u.0 - m) + exp(u.1 - m) + exp(u.2 - m))
    }

    /// Exponent of N_opt ∝ C^a on the compute-optimal frontier of this law, β/(α+β), for C ∝ N·D.
    public var computeOptimalSizeExponent: Double { beta / (alpha + beta) }
    /// Exponent of D_opt ∝ C^b on the compute-optimal frontier of this law, α/(α+β), for C ∝ N·D.
    public var computeOptimalDataExponent: Double { alpha / (alpha + beta) }

    /// The five parameters as a vector (a, b, e, α, β), the order the fitter uses.
    public var vector: [Double] { [a, b, e, alpha, beta] }

    /// A law from the fitter's vector (a, b, e, α, β).
    public init(vector v: [Double]) {
        self.init(a: v[0], b: v[1], e: v[2], alpha: v[3], beta: v[4])
    }
}
