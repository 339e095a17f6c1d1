/// Turns a sweep's cells into its `fit.json`: the law with bootstrap intervals, the frontier and
/// its exponents, residuals, and the held-out prediction.
public struct SweepAnalysis: Sendable {
    /// The multi-start fitter used on all cells.
    public var fitter = ChinchillaFit()
    /// The resampling behind every interval.
    public var bootstrap: Bootstrap

    /// An analysis with Hoffmann et al.'s fitter and the given bootstrap.
    public init(bootstrap: Bootstrap) { self.bootstrap = bootstrap }

    /// An analysis with the sweep file's bootstrap settings.
    public init(spec: SweepSpec) {
        self.init(bootstrap: Bootstrap(resamples: spec.bootstrap, seed: spec.seed, confidence: spec.confidence))
    }

    /// Fits the grid cells of `records` (held-out cells never enter the fit) and predicts
    /// `heldOut`; when `records` holds that cell's measurement, the report compares them.
    ///
    /// Each bootstrap refit starts from the full fit's best distinct optima, not the whole grid:
    /// a resample lies close to the full data, and 4500 starts × every resample would take minutes.
    public func analyze(_ records: [CellRecord], heldOut: PlannedCell?) throws(FitError) -> FitReport {
        // Every resample keeps a refit law until the percentiles are taken: bound them here too, so a
        // caller that skipped the sweep file's validation cannot make the fit allocate without limit.
        guard (0...SweepSpec.maximumBootstrap).contains(bootstrap.resamples) else {
            throw FitError("the bootstrap asks for \(bootstrap.resamples) resamples; use 0 to \(SweepSpec.maximumBootstrap) (`bootstrap` in the sweep file)")
        }
        let grid = records.filter { !$0.heldOut }
        let full = try fitter.fit(grid.map(\.point))
        let frontier = Frontier.points(grid)
        let fitter = self.fitter
        let samples = bootstrap.map(grid) { sample in
            (law: try? fitter.fit(sample.map(\.point), starts: full.optima).law, frontier: Frontier.exponents(Frontier.points(sample)))
        }
        let laws = samples.compactMap { $0?.law }
        let frontierFits = samples.compactMap { $0?.frontier }
        let confidence = bootstrap.confidence
        func estimate(_ value: Double, _ samples: [Double]) -> Estimate { Estimate(value: value, samples: samples, confidence: confidence) }
        let law = full.law
        var report = FitReport(
            cells: grid.count,
            law: FitReport.LawEstimate(
                E: estimate(law.E, laws.map(\.E)), A: estimate(law.A, laws.map(\.A)), B: estimate(law.B, laws.map(\.B)),
                alpha: estimate(law.alpha, laws.map(\.alpha)), beta: estimate(law.beta, laws.map(\.beta)),
                objective: full.objective, huberDelta: fitter.huberDelta, starts: full.starts, stop: full.stop),
            lawExponents: FitReport.Exponents(
                size: estimate(law.computeOptimalSizeExponent, laws.map(\.computeOptimalSizeExponent)),
                data: estimate(law.computeOptimalDataExponent, laws.map(\.computeOptimalDataExponent))),
            frontier: frontier,
            frontierExponents: Frontier.exponents(frontier).map { fit in
                FitReport.Exponents(size: estimate(fit.size.exponent, frontierFits.map(\.size.exponent)),
                                    data: estimate(fit.data.exponent, frontierFits.map(\.data.exponent)))
            },
            residuals: zip(grid, ChinchillaFit.residuals(law, grid.map(\.point))).map { cell, r in
                FitReport.Residual(cell: cell.cell, n: cell.point.n, d: cell.point.d, flops: cell.flops, loss: cell.loss,
                                   predicted: law.loss(n: cell.point.n, d: cell.point.d), logResidual: r)
            },
            prediction: nil,
            bootstrap: FitReport.BootstrapSummary(
                resamples: bootstrap.resamples, seed: bootstrap.seed, confidence: confidence,
                failedLawFits: bootstrap.resamples - laws.count, failedFrontierFits: bootstrap.resamples - frontierFits.count))
        if let heldOut {
            let n = Double(heldOut.counts.nonEmbeddingParams), d = Double(heldOut.tokens)
            report.prediction = FitReport.Prediction(
                cell: heldOut.name, n: n, d: d, flops: heldOut.flops,
                predictedLoss: estimate(law.loss(n: n, d: d), laws.map { $0.loss(n: n, d: d) }))
            if let measured = records.first(where: { $0.heldOut && $0.cell == heldOut.name }) {
                report.prediction?.record(measured: measured.loss)
            }
        }
        return report
    }
}

extension FitReport.Prediction {
    /// Adds the held-out cell's measured loss and how it compares with the prediction.
    public mutating func record(measured: Double) {
        measuredLoss = measured
        relativeError = (measured - predictedLoss.value) / predictedLoss.value
        withinInterval = predictedLoss.low == nil ? nil : predictedLoss.covers(measured)
    }
}
