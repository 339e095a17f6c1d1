import Testing
import GPT

/// Llama analytic gradients against central differences (two random entries of every tensor),
/// tied and untied with qk_norm, with ignored targets.
@Test(arguments: [tinyLlamaConfig, tinyQwenConfig])
func llamaGradientsMatchCentralDifferences(config: GPTConfig) {
    let r = checkCentralDifferences(config: config, batch: 2, sequence: 8, lossScale: 1, ignored: [3, 12], seed: 11)
    print("llama finite differences (qk_norm \(config.qkNorm), tied \(config.tiedHead)): \(r.checked) parameters, "
          + "max abs error \(r.absolute), max rel error (|g|>1e-2) \(r.relative)")
}

/// Several attention blocks (T = 80) and more rows than one chunk of the head, as for GPT-2.
@Test func llamaBlockedAttentionMatchesCentralDifferences() {
    let config = GPTConfig(nLayer: 1, nHead: 2, nEmbd: 8, blockSize: 80, vocabSize: 17_000, family: .llama,
                           tiedHead: false, qkNorm: true)
    let r = checkCentralDifferences(config: config, batch: 4, sequence: 80, lossScale: 1 / 320, ignored: [5, 300], seed: 19)
    print("llama finite differences (T = 80, V = 17000): \(r.checked) parameters, max abs error \(r.absolute), max rel error \(r.relative)")
}

/// Loss, gradients and logits of one Llama forward/backward with `threads` kernel threads.
private func llamaRun(_ config: GPTConfig, threads: Int) -> (LossSum, [Float], [Float]) {
    KernelThreads.$scoped.withValue(threads) {
        let B = 3, T = 16
        let model = GPTModel(config: config, maxBatch: B, maxSequence: T)
        randomizeParameters(model, seed: 23)
        let batch = randomBatch(batch: B, sequence: T, vocab: config.vocabSize, seed: 6, ignored: [0, 17])
        model.zeroGradients()
        let loss = model.forward(batch.inputs, batch.targets, batch: B, sequence: T)
        let logits = Array(model.logits(batch: 2, position: 9))
        model.backward(lossScale: 1 / Float(loss.count))
        return (loss, Array(model.gradients), logits)
    }
}

/// The Llama kernels give bit-identical results for 1, 2 and 3 threads.
@Test(arguments: [tinyLlamaConfig, tinyQwenConfig])
func llamaThreadCountDoesNotChangeResults(config: GPTConfig) {
    let one = llamaRun(config, threads: 1), two = llamaRun(config, threads: 2), three = llamaRun(config, threads: 3)
    #expect(one.0 == two.0 && one.0 == three.0)
    #expect(one.1 == two.1 && one.1 == three.1)
    #expect(one.2 == two.2 && one.2 == three.2)
}

/// Cached decoding (rotary at the absolute position) gives the full forward's logits at every
/// position to 1e-5 (relative, floor 1).
@Test(arguments: [tinyLlamaConfig, tinyQwenConfig])
func llamaCachedDecodingMatchesFullForward(config: GPTConfig) {
    let T = config.blockSize
    let model = GPTModel(config: config, maxBatch: 2, maxSequence: T)
    randomizeParameters(model, seed: 29)
    let batch = randomBatch(batch: 2, sequence: T, vocab: config.vocabSize, seed: 31)
    model.forward(batch.inputs, nil, batch: 2, sequence: T)
    let inference = GPTInference(model: model)
    var worst: Float = 0
    for b in 0..<2 {
        inference.reset()
        for t in 0..<T {
            let cached = Array(inference.next(token: batch.inputs[b * T + t]))
            let full = model.logits(batch: b, position: t)
            for j in 0..<cached.count { worst = max(worst, abs(cached[j] - full[j]) / max(abs(full[j]), 1)) }
        }
    }
    #expect(worst <= 1e-5)
    print("llama kv-cache decoding (qk_norm \(config.qkNorm)): max error vs full forward \(worst)")
}
