/// Everything a sweep concludes from its cells: the contents of `fit.json`.
public struct FitReport: Sendable, Equatable, Codable {
    /// How N, D and C are counted.
    public var definitions = Definitions()
    /// Grid cells the fit used (the held-out cell never is).
    public var cells: Int
    /// L(N, D) = E + A/N^α + B/D^β.
    public var law: LawEstimate
    /// N_opt ∝ C^a, D_opt ∝ C^b implied by the law: a = β/(α+β), b = α/(α+β) (for C ∝ N·D).
    public var lawExponents: Exponents
    /// The measured frontier: the best cell per compute budget.
    public var frontier: [FrontierPoint]
    /// Power laws through the frontier (nil with fewer than 2 budgets on it).
    public var frontierExponents: Exponents?
    /// Every grid cell's loss against the law's.
    public var residuals: [Residual]
    /// The held-out cell's predicted loss, and its measurement once trained.
    public var prediction: Prediction?
    /// How the intervals were made.
    public var bootstrap: BootstrapSummary

    /// The conventions, spelled out in the file so that it can be read alone.
    public struct Definitions: Sendable, Equatable, Codable {
        /// N.
        public var n = "non-embedding parameters: all parameters except the token (wte) and position (wpe) embeddings (Kaplan et al. 2020)"
        /// D.
        public var d = "training tokens: steps × batch tokens"
        /// C.
        public var c = "training FLOPs: D × the model's FLOPs per token, 6·(all parameters except wpe; the tied wte counted once) + 12·layers·width·context (PaLM appendix B, nanoGPT)"
        /// The loss.
        public var loss = "final held-out cross-entropy in nats per token, on the same validation tokens for every cell"
        /// The fit.
        public var fit = "Hoffmann et al. 2022 approach 3: minimize Σ Huber_δ(LSE(a − α·ln N, b − β·ln D, e) − ln L) with L-BFGS from a grid of starts; A = e^a, B = e^b, E = e^e"
    }

    /// The law's parameters with intervals.
    public struct LawEstimate: Sendable, Equatable, Codable {
        /// Irreducible loss.
        public var E: Estimate
        /// Model-size coefficient.
        public var A: Estimate
        /// Data coefficient.
        public var B: Estimate
        /// Model-size exponent.
        public var alpha: Estimate
        /// Data exponent.
        public var beta: Estimate
        /// The minimized objective Σ Huber_δ(residual).
        public var objective: Double
        /// Huber's δ.
        public var huberDelta: Double
        /// Starts of the multi-start fit.
        public var starts: Int
        /// Why L-BFGS stopped at the best start.
        public var stop: LBFGS.Stop

        /// The law at the fitted values.
        public var law: ScalingLaw { ScalingLaw(E: E.value, A: A.value, B: B.value, alpha: alpha.value, beta: beta.value) }

        enum CodingKeys: String, CodingKey { case E, A, B, alpha, beta, objective, huberDelta = "huber_delta", starts, stop }
    }

    /// Exponents of N_opt ∝ C^a and D_opt ∝ C^b.
    public struct Exponents: Sendable, Equatable, Codable {
        /// a.
        public var size: Estimate
        /// b.
        public var data: Estimate
    }

    /// One grid cell against the law.
    public struct Residual: Sendable, Equatable, Codable {
        /// The cell.
        public var cell: String
        /// Its N.
        public var n: Double
        /// Its D.
        public var d: Double
        /// Its C.
        public var flops: Double
        /// Measured loss.
        public var loss: Double
        /// The law's loss.
        public var predicted: Double
        /// ln(predicted) − ln(measured), the quantity the fit's Huber loss sees.
        public var logResidual: Double

        enum CodingKeys: String, CodingKey { case cell, n, d, flops, loss, predicted, logResidual = "log_residual" }
    }

    /// The held-out check.
    public struct Prediction: Sendable, Equatable, Codable {
        /// The held-out cell.
        public var cell: String
        /// Its N.
        public var n: Double
        /// Its D.
        public var d: Double
        /// Its C.
        public var flops: Double
        /// The law's loss with the interval of the bootstrap refits.
        public var predictedLoss: Estimate
        /// The loss it reached (nil until trained).
        public var measuredLoss: Double?
        /// (measured − predicted) / predicted.
        public var relativeError: Double?
        /// Whether the measurement fell inside the interval.
        public var withinInterval: Bool?

        enum CodingKeys: String, CodingKey {
            case cell, n, d, flops, predictedLoss = "predicted_loss", measuredLoss = "measured_loss"
            case relativeError = "relative_error", withinInterval = "within_interval"
        }
    }

    /// The resampling behind the intervals.
    public struct BootstrapSummary: Sendable, Equatable, Codable {
        /// Resamples drawn.
        public var resamples: Int
        /// Their seed.
        public var seed: UInt64
        /// Coverage of the intervals.
        public var confidence: Double
        /// Resamples whose law refit failed (e.g. too few distinct sizes drawn); left out.
        public var failedLawFits: Int
        /// Resamples whose frontier had fewer than 2 budgets; left out of the frontier intervals.
        public var failedFrontierFits: Int

        enum CodingKeys: String, CodingKey {
            case resamples, seed, confidence, failedLawFits = "failed_law_fits", failedFrontierFits = "failed_frontier_fits"
        }
    }

    enum CodingKeys: String, CodingKey {
        case definitions, cells, law, lawExponents = "law_exponents", frontier, frontierExponents = "frontier_exponents"
        case residuals, prediction, bootstrap
    }
}
