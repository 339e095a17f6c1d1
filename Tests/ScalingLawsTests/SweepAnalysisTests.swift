import Foundation
import Testing
import ScalingLaws

/// fit.json from a sweep's records: content, the held-out check and the file format.
@Suite struct SweepAnalysisTests {
    private var analysis: SweepAnalysis {
        var a = SweepAnalysis(bootstrap: Bootstrap(resamples: 30, seed: 5))
        a.fitter = testFitter
        return a
    }

    private let target = PlannedCell(name: "heldout", depth: 1, width: 64, heads: 1, steps: 10, warmupSteps: 0, tokens: 30_000_000_000,
                                     counts: ModelCounts(nonEmbeddingParams: 1_000_000_000, flopsPerToken: 6e9), budget: nil, heldOut: true)

    @Test func reportHoldsTheLawFrontierResidualsAndPrediction() throws {
        let grid = records(syntheticPoints(sigma: 0.005, seed: 4))
        let report = try analysis.analyze(grid, heldOut: target)
        #expect(report.cells == 24 && report.residuals.count == 24)
        #expect(report.residuals.allSatisfy { abs($0.logResidual - log($0.predicted / $0.loss)) < 1e-12 })
        #expect(!report.frontier.isEmpty && report.frontierExponents != nil)
        #expect(report.bootstrap.resamples == 30 && report.bootstrap.failedLawFits == 0)
        #expect(abs(report.lawExponents.size.value + report.lawExponents.data.value - 1) < 1e-12)
        let prediction = try #require(report.prediction)
        #expect(prediction.measuredLoss == nil && prediction.predictedLoss.low != nil)
    }

    /// The fit refuses a resample count it could not hold, instead of trapping in an allocation.
    @Test func absurdBootstrapIsAnErrorNotACrash() {
        var huge = analysis
        huge.bootstrap.resamples = 1_000_000_000
        #expect(throws: FitError.self) { try huge.analyze(records(syntheticPoints(sigma: 0.005, seed: 4)), heldOut: nil) }
        huge.bootstrap.resamples = -1
        #expect(throws: FitError.self) { try huge.analyze(records(syntheticPoints(sigma: 0.005, seed: 4)), heldOut: nil) }
    }

    @Test func heldOutMeasurementIsComparedButNeverFitted() throws {
        let grid = records(syntheticPoints(sigma: 0.005, seed: 4))
        let truth = chinchilla.loss(n: 1e9, d: 3e10)
        // A wildly wrong held-out loss would move the law if it were fitted.
        let wrong = CellRecord(target, loss: truth * 1.5, bitsPerByte: 0, wallSeconds: 0, tokensPerSecond: 0)
        let before = try analysis.analyze(grid, heldOut: target)
        let after = try analysis.analyze(grid + [wrong], heldOut: target)
        #expect(after.law == before.law)
        let prediction = try #require(after.prediction)
        #expect(prediction.measuredLoss == truth * 1.5)
        #expect(abs(prediction.relativeError! - (truth * 1.5 - prediction.predictedLoss.value) / prediction.predictedLoss.value) < 1e-12)
        #expect(prediction.withinInterval == false)
    }

    @Test func fitJSONUsesSnakeCaseAndRoundTrips() throws {
        let report = try analysis.analyze(records(syntheticPoints(sigma: 0.005, seed: 4)), heldOut: target)
        let data = try JSONEncoder().encode(report)
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"law_exponents\"", "\"frontier_exponents\"", "\"huber_delta\"", "\"log_residual\"", "\"predicted_loss\"", "\"failed_law_fits\"", "\"alpha\"", "\"E\""] {
            #expect(text.contains(key), "fit.json lacks \(key)")
        }
        #expect(try JSONDecoder().decode(FitReport.self, from: data) == report)
    }

    @Test func cellRecordIsOneSnakeCaseJSONLine() throws {
        let record = records(syntheticPoints(sigma: 0, seed: 1))[0]
        let text = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        #expect(!text.contains("\n"))
        for key in ["non_embedding_params", "tokens", "flops", "flops_per_token", "bits_per_byte", "wall_s", "tokens_per_s", "held_out"] {
            #expect(text.contains("\"\(key)\""))
        }
        #expect(try JSONDecoder().decode(CellRecord.self, from: Data(text.utf8)) == record)
    }
}
