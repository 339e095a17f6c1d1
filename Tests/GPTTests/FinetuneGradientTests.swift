import Testing
import GPT

/// The classification path: features at one position per row → linear head → cross-entropy;
/// analytic gradients (trunk and head) against central differences, on GPT-2 and on Llama trunks
/// (tied; untied with qk_norm, whose lm_head gets no gradient but is still reported final).
@Test(arguments: [tinyConfig, tinyLlamaConfig, tinyQwenConfig])
func classifierGradientsMatchCentralDifferences(config: GPTConfig) {
    let B = 2, T = 8
    let model = GPTModel(config: config, maxBatch: B, maxSequence: T)
    randomizeParameters(model, seed: 5)
    let head = ClassifierHead(classes: 3, channels: config.nEmbd)
    var g = SplitMix64(seed: 9)
    head.initialize(using: &g)
    for i in 0..<head.weight.count { head.weight[i] *= 20 }  // larger logits, larger gradients
    let inputs = randomBatch(batch: B, sequence: T, vocab: config.vocabSize, seed: 13).inputs
    let rows = [5, T + 7], labels = [2, 0]
    func loss() -> Double {
        let f = inputs.withUnsafeBufferPointer { model.forwardFeatures(inputs: $0, batch: B, sequence: T) }
        return head.forward(features: f, rows: rows, labels: labels)
    }
    model.zeroGradients()
    head.gradient.update(repeating: 0)
    let features = inputs.withUnsafeBufferPointer { model.forwardFeatures(inputs: $0, batch: B, sequence: T) }
    head.forward(features: features, rows: rows, labels: labels)
    let d = UnsafeMutableBufferPointer<Float>.allocate(capacity: B * T * config.nEmbd)
    defer { d.deallocate() }
    d.initialize(repeating: 0)
    head.backward(features: features, rows: rows, labels: labels, scale: 1, dFeatures: d)
    var reported = 0
    model.backwardFromFeatures(UnsafeBufferPointer(d)) { reported += $0.count }
    #expect(reported == model.layout.totalCount)

    let eps: Float = 1e-2
    var rng = SplitMix64(seed: 3)
    func check(_ name: String, _ p: UnsafeMutableBufferPointer<Float>, _ grad: UnsafeMutableBufferPointer<Float>, _ i: Int) {
        let saved = p[i]
        p[i] = saved + eps; let plus = loss()
        p[i] = saved - eps; let minus = loss()
        p[i] = saved
        let numeric = (plus - minus) / (2 * Double(eps)), analytic = Double(grad[i])
        #expect(abs(analytic - numeric) <= 1e-2 * abs(numeric) + 1e-3, "\(name)[\(i)]: analytic \(analytic), numeric \(numeric)")
    }
    for tensor in model.layout.tensors {
        for _ in 0..<2 { check(tensor.name, model.parameters, model.gradients, tensor.offset + Int(rng.next() % UInt64(tensor.count))) }
    }
    for _ in 0..<6 { check("score.weight", head.weight, head.gradient, Int(rng.next() % UInt64(head.weight.count))) }
}

/// Instruction masking: targets of -1 (the prompt) contribute no gradient, whatever the tokens
/// there would have been; the gradient equals that of the response targets alone.
@Test func promptPositionsContributeNoGradient() {
    let B = 2, T = 8
    let model = GPTModel(config: tinyConfig, maxBatch: B, maxSequence: T)
    randomizeParameters(model, seed: 21)
    let batch = randomBatch(batch: B, sequence: T, vocab: tinyConfig.vocabSize, seed: 4)
    func gradients(_ targets: [Int32]) -> [Float] {
        model.zeroGradients()
        model.forward(batch.inputs, targets, batch: B, sequence: T)
        model.backward(lossScale: 1)
        return Array(model.gradients)
    }
    // Prompt = first 5 positions of each row: masked.
    var masked = batch.targets
    for b in 0..<B { for t in 0..<5 { masked[b * T + t] = -1 } }
    let reference = gradients(masked)
    #expect(reference.contains { $0 != 0 })
    // Any other prompt targets, masked, give bit-identical gradients; unmasked they do not.
    var other = batch.targets
    for b in 0..<B { for t in 0..<5 { other[b * T + t] = Int32((b * 7 + t * 3) % tinyConfig.vocabSize) } }
    var otherMasked = other
    for b in 0..<B { for t in 0..<5 { otherMasked[b * T + t] = -1 } }
    #expect(gradients(otherMasked) == reference)
    #expect(gradients(other) != reference)
    // The loss counts only the response targets.
    let loss = model.forward(batch.inputs, masked, batch: B, sequence: T)
    #expect(loss.count == B * (T - 5))
}
