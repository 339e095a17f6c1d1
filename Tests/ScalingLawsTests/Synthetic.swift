import Foundation
import ScalingLaws

/// Chinchilla's published fit (Hoffmann et al. 2022, approach 3), the truth of the synthetic sweeps.
let chinchilla = ScalingLaw(E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28)

/// A starting grid of 243 points that finds the same optimum as Hoffmann's 4500 on these
/// sweeps (checked by `ChinchillaFitTests.smallGridFindsTheFullGridsOptimum`), to keep tests fast.
let testGrid = InitializationGrid(a: [0, 10, 20], b: [0, 10, 20], e: [-1, 0, 1], alpha: [0.2, 0.6, 1.5], beta: [0.2, 0.6, 1.5])

/// A fitter using `testGrid`.
var testFitter: ChinchillaFit {
    var fitter = ChinchillaFit()
    fitter.grid = testGrid
    return fitter
}

/// Standard normal draws from a seeded stream (Box-Muller).
struct Gaussian {
    var random: ResampleRandom
    init(seed: UInt64) { random = ResampleRandom(seed: seed, stream: 999) }
    mutating func next() -> Double {
        let u1 = (Double(random.next() >> 11) + 0.5) / 9_007_199_254_740_992, u2 = Double(random.next() >> 11) / 9_007_199_254_740_992
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

/// Six sizes (1e6…3e8) × four token budgets (1e7…1e10) from `law`, each loss multiplied by
/// exp(σ·z) with z standard normal from `seed`.
func syntheticPoints(_ law: ScalingLaw = chinchilla, sigma: Double, seed: UInt64) -> [ScalingPoint] {
    var noise = Gaussian(seed: seed)
    var points: [ScalingPoint] = []
    for n in [1e6, 3e6, 1e7, 3e7, 1e8, 3e8] {
        for d in [1e7, 1e8, 1e9, 1e10] {
            points.append(ScalingPoint(n: n, d: d, loss: law.loss(n: n, d: d) * exp(sigma * noise.next())))
        }
    }
    return points
}

/// Records for points, with C = 6·N·D, named c0, c1, ….
func records(_ points: [ScalingPoint]) -> [CellRecord] {
    points.enumerated().map { i, p in
        let cell = PlannedCell(name: "c\(i)", depth: 1, width: 64, heads: 1, steps: 10, warmupSteps: 0, tokens: Int(p.d),
                               counts: ModelCounts(nonEmbeddingParams: Int(p.n), flopsPerToken: 6 * p.n), budget: nil, heldOut: false)
        return CellRecord(cell, loss: p.loss, bitsPerByte: p.loss / log(2) / 4, wallSeconds: 1, tokensPerSecond: p.d)
    }
}
