import Testing
import GPT

/// GPT-2 124M has Hugging Face's 124,439,808 parameters (head tied) in the expected order.
@Test func gpt2SmallLayoutMatchesHuggingFace() throws {
    let layout = ParameterLayout(config: GPTConfig(nLayer: 12, nHead: 12, nEmbd: 768, blockSize: 1024, vocabSize: 50257))
    #expect(layout.totalCount == 124_439_808)
    #expect(layout.tensors.count == 2 + 12 * 12 + 2)
    #expect(layout.tensors.first?.name == "wte.weight" && layout.tensors.last?.name == "ln_f.bias")
    let qkv = try #require(layout.tensor(named: "h.3.attn.c_attn.weight"))
    #expect(qkv.shape == [768, 2304])
    #expect(layout.layerRange(3).contains(qkv.offset))
    #expect(try #require(layout.tensor(named: "h.11.mlp.c_proj.weight")).shape == [3072, 768])
    #expect(layout.tensor(named: "lm_head.weight") == nil)
    // Tensors tile the buffer with no gaps; each block is one contiguous range.
    var next = 0
    for t in layout.tensors {
        #expect(t.offset == next && t.count == t.shape.reduce(1, *))
        next += t.count
    }
    #expect(layout.layerRange(0).lowerBound == layout.embeddingRange.upperBound)
    #expect(layout.layerRange(11).upperBound == layout.finalNormRange.lowerBound)
    #expect(layout.decays(qkv))
    #expect(try !layout.decays(#require(layout.tensor(named: "h.0.ln_1.weight"))))
    #expect(try !layout.decays(#require(layout.tensor(named: "h.0.attn.c_attn.bias"))))
    #expect(try layout.decays(#require(layout.tensor(named: "wpe.weight"))))
}

/// initializeWeights: N(0, 0.02) weights, smaller c_proj, unit LayerNorm, zero biases; seeded.
@Test func initializationFollowsGPT2() throws {
    let config = GPTConfig(nLayer: 4, nHead: 2, nEmbd: 64, blockSize: 32, vocabSize: 256)
    let model = GPTModel(config: config, maxBatch: 1, maxSequence: 4)
    var rng = SplitMix64(seed: 42)
    model.initializeWeights(using: &rng)
    func stats(_ name: String) throws -> (mean: Double, std: Double) {
        let t = try #require(model.layout.tensor(named: name))
        let values = model.parameters[t.range].map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, variance.squareRoot())
    }
    let wte = try stats("wte.weight")
    #expect(abs(wte.mean) < 1e-3 && abs(wte.std - 0.02) < 1e-3)
    let proj = try stats("h.1.mlp.c_proj.weight")
    #expect(abs(proj.std - 0.02 / (8.0).squareRoot()) < 5e-4)
    #expect(try stats("h.2.ln_2.weight") == (1, 0))
    #expect(try stats("h.0.mlp.c_fc.bias") == (0, 0))
    var again = SplitMix64(seed: 42)
    let other = GPTModel(config: config, maxBatch: 1, maxSequence: 4)
    other.initializeWeights(using: &again)
    #expect(Array(model.parameters) == Array(other.parameters))
}
