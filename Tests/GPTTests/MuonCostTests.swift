import Foundation
import Testing
import GPT

/// Seconds per call of `body`, the best of `repeats` after one warm-up call.
private func bestSeconds(repeats: Int, _ body: () -> Void) -> Double {
    body()
    var best = Double.infinity
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return best
}

/// Step times for configs/gpt-small.json's model (L 6, C 384, V 8192, block 256): a whole Muon
/// step on one rank, each of two ranks' Newton–Schulz shares, and AdamW over every parameter.
/// A measurement, not a check: it runs only with MUON_COST=1 and prints figures.
@Test(.enabled(if: ProcessInfo.processInfo.environment["MUON_COST"] == "1", "a timing; set MUON_COST=1 to run it"))
func muonStepCostForGPTSmall() {
    let layout = ParameterLayout(config: GPTConfig(nLayer: 6, nHead: 6, nEmbd: 384, blockSize: 256, vocabSize: 8192))
    var parameters = uniformValues(layout.totalCount, seed: 1, scale: 0.02)
    let gradients = uniformValues(layout.totalCount, seed: 2)
    let muon = Muon(layout: layout)
    let adam = AdamW(layout: layout), hybridAdam = AdamW(layout: layout, excluding: layout.muonMatrices)
    let two = muon.assignment(ranks: 2)
    let muonStep = bestSeconds(repeats: 5) { muon.step(&parameters, gradients, learningRate: 0.02) }
    let shares = (0..<2).map { r in
        bestSeconds(repeats: 5) { gradients.withUnsafeBufferPointer { muon.orthogonalize(rank: r, of: two, gradients: $0) } }
    }
    func adamSeconds(_ adam: AdamW) -> Double {
        bestSeconds(repeats: 5) {
            parameters.withUnsafeMutableBufferPointer { p in
                gradients.withUnsafeBufferPointer { adam.update(parameters: p, gradients: $0, learningRate: 1e-3, step: 1) }
            }
        }
    }
    let adamAll = adamSeconds(adam), adamRest = adamSeconds(hybridAdam)
    print(String(format: "gpt-small: Muon step (24 matrices, %d floats, one rank) %.1f ms; NS shares over 2 ranks %.1f / %.1f ms (%.2f / %.2f GFLOP); AdamW over all %d params %.1f ms; AdamW over the rest %.1f ms",
                 muon.count, muonStep * 1e3, shares[0] * 1e3, shares[1] * 1e3, Double(two.rankFlops[0]) / 1e9,
                 Double(two.rankFlops[1]) / 1e9, layout.totalCount, adamAll * 1e3, adamRest * 1e3))
}
