import Testing
import GPT

/// Compares analytic gradients of lossScale × (summed loss) with central differences, for two
/// random parameters of every tensor; returns how many were checked and the worst errors.
/// Tolerance: |analytic − numeric| ≤ 1e-2·|numeric| + 1e-3.
func checkCentralDifferences(
    config: GPTConfig, batch B: Int, sequence T: Int, lossScale: Float, ignored: [Int], seed: UInt64
) -> (checked: Int, absolute: Double, relative: Double) {
    let model = GPTModel(config: config, maxBatch: B, maxSequence: T)
    randomizeParameters(model, seed: seed)
    let batch = randomBatch(batch: B, sequence: T, vocab: config.vocabSize, seed: seed + 4, ignored: ignored)

    model.zeroGradients()
    let loss = model.forward(batch.inputs, batch.targets, batch: B, sequence: T)
    #expect(loss.count == B * T - ignored.count)
    model.backward(lossScale: lossScale)

    // eps 1e-2 balances float32 round-off of the loss (~1e-6 relative) against truncation.
    let eps: Float = 1e-2
    var rng = SplitMix64(seed: 3)
    var worstRelative = 0.0, worstAbsolute = 0.0, checked = 0
    for tensor in model.layout.tensors {
        for _ in 0..<2 {
            let i = tensor.offset + Int(rng.next() % UInt64(tensor.count))
            let saved = model.parameters[i]
            model.parameters[i] = saved + eps
            let plus = model.forward(batch.inputs, batch.targets, batch: B, sequence: T, gradientScale: nil).sum
            model.parameters[i] = saved - eps
            let minus = model.forward(batch.inputs, batch.targets, batch: B, sequence: T, gradientScale: nil).sum
            model.parameters[i] = saved
            let numeric = Double(lossScale) * (plus - minus) / (2 * Double(eps))
            let analytic = Double(model.gradients[i])
            let error = abs(analytic - numeric)
            worstAbsolute = max(worstAbsolute, error)
            if abs(numeric) > 1e-2 { worstRelative = max(worstRelative, error / abs(numeric)) }
            #expect(error <= 1e-2 * abs(numeric) + 1e-3, "\(tensor.name)[\(i - tensor.offset)]: analytic \(analytic), numeric \(numeric)")
            checked += 1
        }
    }
    return (checked, worstAbsolute, worstRelative)
}

/// Analytic gradients against central differences of the summed loss, with ignored (-1) targets.
@Test func gradientsMatchCentralDifferences() {
    let r = checkCentralDifferences(config: tinyConfig, batch: 2, sequence: 8, lossScale: 1, ignored: [3, 12], seed: 7)
    print("finite differences: \(r.checked) parameters, max abs error \(r.absolute), max rel error (|g|>1e-2) \(r.relative)")
}

/// The same with a context of several attention blocks (the causal block skipping) and more rows
/// than one chunk of the language-model head (V > 16384 gives 256-row chunks; 4 × 80 = 320 rows).
@Test func blockedAttentionAndChunkedHeadMatchCentralDifferences() {
    let config = GPTConfig(nLayer: 1, nHead: 2, nEmbd: 8, blockSize: 80, vocabSize: 17_000)
    let r = checkCentralDifferences(config: config, batch: 4, sequence: 80, lossScale: 1 / 320, ignored: [5, 300], seed: 17)
    print("finite differences (T = 80, V = 17000): \(r.checked) parameters, max abs error \(r.absolute), max rel error (|g|>1e-2) \(r.relative)")
}
