import Testing
import GPT

/// Two forward/backward passes over the same batch add twice the gradient of one. Not bit-exact:
/// the kernels add each row's contribution straight into the gradient (and sgemm accumulates
/// with beta 1 panel by panel), so the second pass rounds against a non-zero start.
@Test func backwardAccumulatesIntoGradients() {
    let B = 2, T = 8
    let model = GPTModel(config: tinyConfig, maxBatch: B, maxSequence: T)
    randomizeParameters(model, seed: 9)
    let batch = randomBatch(batch: B, sequence: T, vocab: tinyConfig.vocabSize, seed: 4, ignored: [5])
    model.zeroGradients()
    let first = model.forward(batch.inputs, batch.targets, batch: B, sequence: T)
    model.backward(lossScale: 0.25)
    let once = Array(model.gradients)
    let second = model.forward(batch.inputs, batch.targets, batch: B, sequence: T)
    model.backward(lossScale: 0.25)
    #expect(first == second)
    let scale = Double(once.map { abs($0) }.max()!)
    var worst = 0.0
    for (g1, g2) in zip(once, model.gradients) { worst = max(worst, abs(Double(g2) - 2 * Double(g1)) / scale) }
    #expect(worst < 1e-6)
    print("accumulation: max |g(2 passes) − 2·g(1 pass)| / max|g| = \(worst)")
    #expect(once.contains { $0 != 0 })
}

/// backward reports every gradient range exactly once: ln_f, the blocks from last to first,
/// then the embeddings; together they cover the whole buffer.
@Test func backwardReportsFinalGradientRanges() {
    let B = 1, T = 4
    let model = GPTModel(config: tinyConfig, maxBatch: B, maxSequence: T)
    randomizeParameters(model, seed: 1)
    let batch = randomBatch(batch: B, sequence: T, vocab: tinyConfig.vocabSize, seed: 2)
    model.forward(batch.inputs, batch.targets, batch: B, sequence: T)
    var ranges: [Range<Int>] = []
    model.backward(lossScale: 1) { ranges.append($0) }
    let layout = model.layout
    #expect(ranges == [layout.finalNormRange, layout.layerRange(1), layout.layerRange(0), layout.embeddingRange])
    #expect(ranges.map(\.count).reduce(0, +) == layout.totalCount)
}

/// A shorter sequence than allocated, and a forward without targets, give the same logits
/// as a model allocated for exactly that shape.
@Test func smallerShapesAndLogitsOnlyForward() {
    let batch = randomBatch(batch: 2, sequence: 5, vocab: tinyConfig.vocabSize, seed: 8)
    let big = GPTModel(config: tinyConfig, maxBatch: 4, maxSequence: 16)
    let exact = GPTModel(config: tinyConfig, maxBatch: 2, maxSequence: 5)
    randomizeParameters(big, seed: 6)
    randomizeParameters(exact, seed: 6)
    let none = big.forward(batch.inputs, nil, batch: 2, sequence: 5)
    #expect(none.count == 0)
    exact.forward(batch.inputs, batch.targets, batch: 2, sequence: 5)
    for b in 0..<2 {
        for t in 0..<5 { #expect(Array(big.logits(batch: b, position: t)) == Array(exact.logits(batch: b, position: t))) }
    }
}
