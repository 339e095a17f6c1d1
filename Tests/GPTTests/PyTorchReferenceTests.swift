import Foundation
import Testing
import GPT

/// What reference/make_fixtures.py writes.
private struct Reference: Decodable {
    struct AdamWSettings: Decodable {
        let lr: Float, beta1: Float, beta2: Float, eps: Float
        let weight_decay: Float, step: Int
    }
    let config: GPTConfig
    let B: Int, T: Int
    let params: [Float], grads: [Float], params_after: [Float]
    let inputs: [Int32], targets: [Int32]
    let loss: Double, grad_norm: Double, max_norm: Float
    let adamw: AdamWSettings
}

/// Largest error ratio |a − b| / (1e-4 · max(|b|, floor)); ≤ 1 passes. The floor, 1e-3 of the
/// largest |b| in the array, keeps values near zero from demanding more than float32 can give.
private func worstRatio(_ actual: UnsafeMutableBufferPointer<Float>, _ expected: [Float]) -> (ratio: Double, index: Int) {
    let floor = Double(expected.map { abs($0) }.max() ?? 0) * 1e-3
    var worst = (ratio: 0.0, index: -1)
    for i in 0..<expected.count {
        let ratio = abs(Double(actual[i]) - Double(expected[i])) / (1e-4 * max(Double(abs(expected[i])), floor))
        if ratio > worst.ratio { worst = (ratio, i) }
    }
    return worst
}

/// Loss, every gradient and the gradient norm against PyTorch (float64), then clipping and
/// one AdamW step from PyTorch's gradients against torch.optim.AdamW: the tiny model, and one
/// layer at T = 300 (`--long`: attention's three panels of queries, the last one ragged).
@Test(arguments: ["gpt_reference", "gpt_reference_long"])
func matchesPyTorchReference(fixture: String) throws {
    let url = try #require(Bundle.module.url(forResource: fixture, withExtension: "json", subdirectory: "Fixtures"))
    let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    let (model, loss, counted) = referenceForward(config: ref.config, params: ref.params, inputs: ref.inputs,
                                                  targets: ref.targets, batch: ref.B, sequence: ref.T)
    let lossError = abs(loss.mean - ref.loss) / ref.loss
    #expect(lossError < 1e-5)
    model.backward(lossScale: 1 / Float(counted))

    let grads = worstRatio(model.gradients, ref.grads)
    let name = model.layout.tensors.first { $0.range.contains(grads.index) }?.name ?? "?"
    #expect(grads.ratio <= 1, "gradient \(grads.index) in \(name): \(model.gradients[grads.index]) vs \(ref.grads[grads.index])")

    let (norm, scale) = GradientClipping.clip(model.gradients, maxNorm: ref.max_norm)
    let normError = abs(Double(norm) - ref.grad_norm) / ref.grad_norm
    #expect(normError < 1e-5)
    #expect(scale < 1)

    // AdamW starts from PyTorch's gradients: at step 1 an update is lr·g/(|g| + eps), which
    // turns round-off in gradients that are exactly zero in theory (the key bias) into
    // order-lr differences, so it is checked on identical inputs.
    _ = model.gradients.update(fromContentsOf: ref.grads)
    GradientClipping.clip(model.gradients, maxNorm: ref.max_norm)
    let h = ref.adamw
    let optimizer = AdamW(layout: model.layout, beta1: h.beta1, beta2: h.beta2, eps: h.eps, weightDecay: h.weight_decay)
    optimizer.update(parameters: model.parameters, gradients: model.gradients, learningRate: h.lr, step: h.step)
    let after = worstRatio(model.parameters, ref.params_after)
    #expect(after.ratio <= 1, "parameter \(after.index): \(model.parameters[after.index]) vs \(ref.params_after[after.index])")

    print("pytorch reference \(fixture) (T = \(ref.T)): loss rel error \(lossError), grad norm rel error \(normError), "
          + "worst gradient error \(grads.ratio)×tolerance (\(name)), worst AdamW parameter error \(after.ratio)×tolerance "
          + "(tolerance 1e-4·max(|ref|, 1e-3·max|ref|))")
}
