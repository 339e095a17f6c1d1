import Testing
import GPT

/// Feeding tokens one at a time through the key/value cache gives the full forward's logits
/// at every position, to |a − b| ≤ 1e-5·max(|b|, 1): GPT-2, and Llama with rotary at the
/// absolute position (tied; untied with qk_norm).
/// The last two have a context of three attention panels (300 = 128 + 128 + 44), so the full
/// forward's off-diagonal products are checked against the cache's one query at a time.
@Test(arguments: [tinyConfig, tinyLlamaConfig, tinyQwenConfig,
                  GPTConfig(nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 300, vocabSize: 64),
                  GPTConfig(nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 300, vocabSize: 64, family: .llama, intermediateSize: 24)])
func cachedDecodingMatchesFullForward(config: GPTConfig) {
    let T = config.blockSize
    let model = GPTModel(config: config, maxBatch: 2, maxSequence: T)
    randomizeParameters(model, seed: 13)
    let batch = randomBatch(batch: 2, sequence: T, vocab: config.vocabSize, seed: 17)
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
        #expect(inference.length == T)
    }
    #expect(worst <= 1e-5)
    print("kv-cache decoding \(config.family) (qk_norm \(config.qkNorm)): max error vs full forward \(worst) (relative, floor 1)")
}
