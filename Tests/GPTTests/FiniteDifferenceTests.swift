import Testing
import GPT

/// Analytic gradients against central differences of the summed loss, for two parameters of
/// every tensor, with ignored (-1) targets in the batch.
@Test func gradientsMatchCentralDifferences() {
    let B = 2, T = 8
    let model = GPTModel(config: tinyConfig, maxBatch: B, maxSequence: T)
    randomizeParameters(model, seed: 7)
    let batch = randomBatch(batch: B, sequence: T, vocab: tinyConfig.vocabSize, seed: 11, ignored: [3, 12])

    model.zeroGradients()
    let loss = model.forward(batch.inputs, batch.targets, batch: B, sequence: T)
    #expect(loss.count == B * T - 2)
    model.backward(lossScale: 1)

    // eps 1e-2 balances float32 round-off of the loss (~1e-6 absolute) against truncation.
    // Tolerance: |analytic − numeric| ≤ 1e-2·|numeric| + 1e-3.
    let eps: Float = 1e-2
    var rng = SplitMix64(seed: 3)
    var worstRelative = 0.0, worstAbsolute = 0.0, checked = 0
    for tensor in model.layout.tensors {
        for _ in 0..<2 {
            let i = tensor.offset + Int(rng.next() % UInt64(tensor.count))
            let saved = model.parameters[i]
            model.parameters[i] = saved + eps
            let plus = model.forward(batch.inputs, batch.targets, batch: B, sequence: T).sum
            model.parameters[i] = saved - eps
            let minus = model.forward(batch.inputs, batch.targets, batch: B, sequence: T).sum
            model.parameters[i] = saved
            let numeric = (plus - minus) / (2 * Double(eps))
            let analytic = Double(model.gradients[i])
            let error = abs(analytic - numeric)
            worstAbsolute = max(worstAbsolute, error)
            if abs(numeric) > 1e-2 { worstRelative = max(worstRelative, error / abs(numeric)) }
            #expect(error <= 1e-2 * abs(numeric) + 1e-3, "\(tensor.name)[\(i - tensor.offset)]: analytic \(analytic), numeric \(numeric)")
            checked += 1
        }
    }
    print("finite differences: \(checked) parameters, max abs error \(worstAbsolute), max rel error (|g|>1e-2) \(worstRelative)")
}
