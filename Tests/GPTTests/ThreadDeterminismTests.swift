import Testing
import GPT

/// Runs one forward/backward with `threads` kernel threads; returns the loss and gradients. The
/// count is bound to this task only (a task-local), so tests running in parallel keep theirs.
private func lossAndGradients(_ config: GPTConfig, threads: Int) -> (LossSum, [Float], [Float]) {
    KernelThreads.$scoped.withValue(threads) { lossAndGradientsWithCurrentThreads(config) }
}

private func lossAndGradientsWithCurrentThreads(_ config: GPTConfig) -> (LossSum, [Float], [Float]) {
    let B = 3, T = 16
    let model = GPTModel(config: config, maxBatch: B, maxSequence: T)
    randomizeParameters(model, seed: 21)
    let batch = randomBatch(batch: B, sequence: T, vocab: config.vocabSize, seed: 5, ignored: [0, 17])
    model.zeroGradients()
    let loss = model.forward(batch.inputs, batch.targets, batch: B, sequence: T)
    let logits = Array(model.logits(batch: 2, position: 9))
    model.backward(lossScale: 1 / Float(loss.count))
    return (loss, Array(model.gradients), logits)
}

/// The row-parallel kernels give bit-identical results for any thread count (GPT-2; Llama tied,
/// and untied with qk_norm).
@Test(arguments: [tinyConfig, tinyLlamaConfig, tinyQwenConfig])
func threadCountDoesNotChangeResults(config: GPTConfig) {
    let one = lossAndGradients(config, threads: 1)
    let two = lossAndGradients(config, threads: 2)
    let three = lossAndGradients(config, threads: 3)
    #expect(one.0 == two.0 && one.0 == three.0)
    #expect(one.1 == two.1 && one.1 == three.1)
    #expect(one.2 == two.2 && one.2 == three.2)
    print("\(config.family) threads 1/2/3: loss \(one.0.sum) / \(two.0.sum) / \(three.0.sum), gradients bit-identical: \(one.1 == two.1 && one.1 == three.1)")
}
