/// Fits a link's α and β to measured collective times.
///
/// Each measurement's model time is messages·α + byteTerm·β (`CollectiveAlgorithm.coefficients`
/// times its size), linear in (α, β), so the fit is weighted least squares: it minimises the sum
/// of squared relative errors (weight 1/t²), which keeps a 10 µs point and a 1 s point equally
/// important, as "within 15% on each" asks. α and β are kept non-negative.
public enum AlphaBetaFit {
    /// One measured collective: its α coefficient, its β coefficient (byte factor × bytes), seconds.
    public struct Point: Sendable, Equatable {
        public var messages: Double
        public var byteTerm: Double
        public var seconds: Double
        /// What was measured, for the table (e.g. "MPI_Allreduce 8 MiB").
        public var label: String
        public init(messages: Double, byteTerm: Double, seconds: Double, label: String = "") {
            (self.messages, self.byteTerm, self.seconds, self.label) = (messages, byteTerm, seconds, label)
        }

        /// `algorithm` on `bytes` bytes over `ranks` ranks, measured at `seconds`.
        public init(_ algorithm: CollectiveAlgorithm, bytes: Double, ranks: Int, seconds: Double, label: String = "") {
            let c = algorithm.coefficients(ranks: ranks)
            self.init(messages: c.messages, byteTerm: c.bytes * bytes, seconds: seconds, label: label)
        }

        /// The model's seconds for this point on `link`.
        public func predicted(_ link: LinkCost) -> Double { messages * link.alpha + byteTerm * link.beta }
    }

    /// The fitted link and each point's relative residual (model ÷ measured − 1), in order.
    public struct Result: Sendable {
        public var link: LinkCost
        public var residuals: [Double]
        /// The largest |residual|.
        public var worst: Double { residuals.map(abs).max() ?? 0 }
    }

    /// The fit, or nil with fewer than two points or points that cannot separate α from β.
    public static func fit(_ points: [Point]) -> Result? {
        let usable = points.filter { $0.seconds > 0 }
        guard usable.count >= 2 else { return nil }
        var (saa, sab, sbb, sat, sbt) = (0.0, 0.0, 0.0, 0.0, 0.0)
        for p in usable {
            let w = 1 / (p.seconds * p.seconds)
            saa += w * p.messages * p.messages
            sab += w * p.messages * p.byteTerm
            sbb += w * p.byteTerm * p.byteTerm
            sat += w * p.messages * p.seconds
            sbt += w * p.byteTerm * p.seconds
        }
        let det = saa * sbb - sab * sab
        guard det > 1e-12 * saa * sbb, saa > 0, sbb > 0 else { return nil }
        var alpha = (sat * sbb - sbt * sab) / det, beta = (saa * sbt - sab * sat) / det
        // A negative parameter has no physical meaning: fix it at 0 and fit the other alone.
        if alpha < 0 { alpha = 0; beta = sbt / sbb }
        if beta < 0 { beta = 0; alpha = sat / saa }
        let link = LinkCost(alpha: alpha, beta: beta)
        return Result(link: link, residuals: points.map { $0.predicted(link) / $0.seconds - 1 })
    }
}

extension AlphaBetaFit {
    /// Fits α to the latency-bound points and β to the bandwidth-bound ones, each with the other held:
    /// one straight line cannot follow Open MPI over TCP from 8 B to 53 MiB (eager sends under
    /// 64 KiB ride in the socket buffers; rendezvous above), and the projection is about the
    /// gradient buckets, so each parameter comes from the regime it dominates. Residuals are over
    /// both sets, in order (latency points first). Nil without a point in each.
    public static func fitTwoRegimes(latency: [Point], bandwidth: [Point]) -> Result? {
        let small = latency.filter { $0.seconds > 0 && $0.messages > 0 }, large = bandwidth.filter { $0.seconds > 0 && $0.byteTerm > 0 }
        guard !small.isEmpty, !large.isEmpty else { return nil }
        // Weighted (1/t²) least squares of t − byteTerm·β ≈ messages·α on the small points, then of
        // t − messages·α ≈ byteTerm·β on the large ones, alternated until both settle (each step
        // only corrects the other regime's small share, so a few rounds converge).
        var (alpha, beta) = (0.0, 0.0)
        for _ in 0..<20 {
            alpha = max(0, small.map { $0.messages * ($0.seconds - $0.byteTerm * beta) / ($0.seconds * $0.seconds) }.reduce(0, +)
                        / small.map { $0.messages * $0.messages / ($0.seconds * $0.seconds) }.reduce(0, +))
            beta = max(0, large.map { $0.byteTerm * ($0.seconds - $0.messages * alpha) / ($0.seconds * $0.seconds) }.reduce(0, +)
                       / large.map { $0.byteTerm * $0.byteTerm / ($0.seconds * $0.seconds) }.reduce(0, +))
        }
        let link = LinkCost(alpha: alpha, beta: beta)
        return Result(link: link, residuals: (latency + bandwidth).map { $0.predicted(link) / $0.seconds - 1 })
    }
}
