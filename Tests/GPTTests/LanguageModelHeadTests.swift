import Testing
import GPT

/// The fused, chunked language-model head: an evaluation forward (no gradient) gives the same loss
/// as a training forward, and the loss scale may be given at forward or only at backward.
@Test func lossOnlyForwardMatchesTrainingForward() {
    let config = GPTConfig(nLayer: 1, nHead: 2, nEmbd: 8, blockSize: 80, vocabSize: 17_000)
    let model = GPTModel(config: config, maxBatch: 4, maxSequence: 80)
    randomizeParameters(model, seed: 31)
    let batch = randomBatch(batch: 4, sequence: 80, vocab: config.vocabSize, seed: 32, ignored: [0, 299])
    let training = model.forward(batch.inputs, batch.targets, batch: 4, sequence: 80)
    let evaluation = model.forward(batch.inputs, batch.targets, batch: 4, sequence: 80, gradientScale: nil)
    #expect(training == evaluation)
    #expect(training.count == 318)
}

@Test func lossScaleAtForwardOrAtBackwardGivesTheSameGradients() {
    let B = 3, T = 16, scale: Float = 1 / 45
    let model = GPTModel(config: tinyConfig, maxBatch: B, maxSequence: T)
    randomizeParameters(model, seed: 41)
    let batch = randomBatch(batch: B, sequence: T, vocab: tinyConfig.vocabSize, seed: 42, ignored: [7, 20, 33])
    model.zeroGradients()
    model.forward(batch.inputs, batch.targets, batch: B, sequence: T, gradientScale: scale)
    model.backward(lossScale: scale)
    let atForward = Array(model.gradients)
    model.zeroGradients()
    model.forward(batch.inputs, batch.targets, batch: B, sequence: T)
    model.backward(lossScale: scale)
    let largest = Double(atForward.map { abs($0) }.max()!)
    let worst = zip(atForward, model.gradients).map { abs(Double($0) - Double($1)) }.max()! / largest
    #expect(worst < 1e-5)
    print("loss scale at forward vs at backward: max gradient difference \(worst) of the largest gradient")
}
