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
