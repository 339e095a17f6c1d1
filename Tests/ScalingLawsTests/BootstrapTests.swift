import Foundation
import Testing
import ScalingLaws

/// Seeded resampling and the percentile intervals built on it.
@Suite struct BootstrapTests {
    @Test func resamplesAreReproducibleAndInRange() {
        let b = Bootstrap(resamples: 50, seed: 7)
        #expect(b.indices(resample: 3, count: 24) == b.indices(resample: 3, count: 24))
        #expect(b.indices(resample: 3, count: 24) != b.indices(resample: 4, count: 24))
        #expect(b.indices(resample: 3, count: 24) != Bootstrap(resamples: 50, seed: 8).indices(resample: 3, count: 24))
        let all = (0..<50).flatMap { b.indices(resample: $0, count: 24) }
        #expect(all.allSatisfy { (0..<24).contains($0) })
        #expect(Set(all).count == 24)  // 1200 draws reach every index
    }

    @Test func percentileIntervalInterpolatesOrderStatistics() {
        let samples = (0...100).map(Double.init).shuffled()
        let e = Estimate(value: 50, samples: samples + [.nan], confidence: 0.9)
        #expect(abs(e.low! - 5) < 1e-9 && abs(e.high! - 95) < 1e-9)
        #expect(Estimate.quantile([1, 2], 0.25) == 1.25)
        #expect(Estimate(value: 1, samples: [], confidence: 0.95).low == nil)
        #expect(e.covers(50) && !e.covers(99))
    }

    /// Intervals from 200 resamples of 24 noisy runs, for five noise seeds: at least 80% of the
    /// 25 parameter intervals must hold the true value (nominally 95%; percentile intervals from
    /// 24 runs run a little narrow), and the interval of a run 10× bigger than the grid in N and D
    /// must hold its true loss for at least 4 of the 5 seeds (seeds 1–10 gave 47 of 50 and 9 of 10).
    @Test func intervalsCoverTheTruth() throws {
        var analysis = SweepAnalysis(bootstrap: Bootstrap(resamples: 200, seed: 11))
        analysis.fitter = testFitter
        var covered = 0, predicted = 0
        for seed in 1...5 as ClosedRange<UInt64> {
            let law = try analysis.analyze(records(syntheticPoints(sigma: 0.005, seed: seed)), heldOut: nil).law
            let truth = [chinchilla.E, chinchilla.A, chinchilla.B, chinchilla.alpha, chinchilla.beta]
            for (e, t) in zip([law.E, law.A, law.B, law.alpha, law.beta], truth) {
                #expect(e.low! < e.value && e.value < e.high!)
                if e.covers(t) { covered += 1 }
            }
            let target = PlannedCell(name: "big", depth: 1, width: 64, heads: 1, steps: 10, warmupSteps: 0, tokens: 100_000_000_000,
                                     counts: ModelCounts(nonEmbeddingParams: 3_000_000_000, flopsPerToken: 1.8e10), budget: nil, heldOut: true)
            let prediction = try #require(try analysis.analyze(records(syntheticPoints(sigma: 0.005, seed: seed)), heldOut: target).prediction)
            if prediction.predictedLoss.covers(chinchilla.loss(n: 3e9, d: 1e11)) { predicted += 1 }
        }
        #expect(covered >= 20, "\(covered) of 25 intervals hold the truth")
        #expect(predicted >= 4, "\(predicted) of 5 prediction intervals hold the true loss")
    }
}
