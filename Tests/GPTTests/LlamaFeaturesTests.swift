import Testing
import GPT

/// The classification path on a Llama trunk (untied, qk_norm): features at one position per row
/// → linear head → cross-entropy; trunk and head gradients against central differences, and
/// every gradient range (the untied head's too, which gets no gradient) reported once.
@Test func llamaClassifierGradientsMatchCentralDifferences() {
    let B = 2, T = 8, config = tinyQwenConfig
    let model = GPTModel(config: config, maxBatch: B, maxSequence: T)
    randomizeParameters(model, seed: 15)
    let head = ClassifierHead(classes: 3, channels: config.nEmbd)
    var g = SplitMix64(seed: 9)
    head.initialize(using: &g)
    for i in 0..<head.weight.count { head.weight[i] *= 20 }
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
    var worst = 0.0
    for tensor in model.layout.tensors {
        for _ in 0..<2 {
            let i = tensor.offset + Int(rng.next() % UInt64(tensor.count))
            let saved = model.parameters[i]
            model.parameters[i] = saved + eps; let plus = loss()
            model.parameters[i] = saved - eps; let minus = loss()
            model.parameters[i] = saved
            let numeric = (plus - minus) / (2 * Double(eps)), analytic = Double(model.gradients[i])
            worst = max(worst, abs(analytic - numeric))
            #expect(abs(analytic - numeric) <= 1e-2 * abs(numeric) + 1e-3, "\(tensor.name): analytic \(analytic), numeric \(numeric)")
        }
    }
    print("llama classifier finite differences: max abs error \(worst)")
}
