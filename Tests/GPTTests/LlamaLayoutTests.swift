import Foundation
import Testing
import GPT

/// Llama layout: transformers' names in block order, nn.Linear (out, in) shapes, contiguous
/// blocks, the head range only when untied, roles for the optimizers.
@Test func llamaLayoutFollowsTransformersNames() throws {
    let layout = ParameterLayout(config: tinyQwenConfig)
    let C = 32, I = 40, HS = 8, V = 64
    #expect(layout.tensors.first?.name == "model.embed_tokens.weight")
    #expect(layout.tensors.last?.name == "lm_head.weight")
    let q = try #require(layout.tensor(named: "model.layers.1.self_attn.q_proj.weight"))
    #expect(q.shape == [C, C] && q.role == .matrix && q.matrixLayout == .outputsByInputs)
    let down = try #require(layout.tensor(named: "model.layers.0.mlp.down_proj.weight"))
    #expect(down.shape == [C, I] && down.mathShape! == (inputs: I, outputs: C))
    #expect(try #require(layout.tensor(named: "model.layers.0.mlp.gate_proj.weight")).shape == [I, C])
    #expect(try #require(layout.tensor(named: "model.layers.1.self_attn.k_norm.weight")).shape == [HS])
    #expect(try #require(layout.tensor(named: "model.norm.weight")).role == .gain)
    let head = try #require(layout.tensor(named: "lm_head.weight"))
    #expect(head.role == .head && head.shape == [V, C] && layout.headRange == head.range)
    #expect(layout.tensors.count == 1 + 2 * 11 + 2)
    var next = 0
    for t in layout.tensors {
        #expect(t.offset == next)
        next += t.count
    }
    #expect(next == layout.totalCount)
    #expect(layout.embeddingRange == 0..<(V * C))
    #expect(layout.layerRange(0).lowerBound == layout.embeddingRange.upperBound)
    #expect(layout.layerRange(1).upperBound == layout.finalNormRange.lowerBound)
    #expect(layout.finalNormRange.count == C && layout.finalNormRange.upperBound == head.offset)
    #expect(layout.layerRange(1).contains(q.offset))
    let tied = ParameterLayout(config: tinyLlamaConfig)
    #expect(tied.headRange == nil && tied.tensor(named: "lm_head.weight") == nil)
    #expect(tied.tensor(named: "model.layers.0.self_attn.q_norm.weight") == nil)
    #expect(tied.finalNormRange.upperBound == tied.totalCount)
    // GPT-2's Conv1D weights are (in, out).
    let gpt2 = try #require(ParameterLayout(config: tinyConfig).tensor(named: "h.0.mlp.c_fc.weight"))
    #expect(gpt2.matrixLayout == .inputsByOutputs && gpt2.mathShape! == (inputs: 32, outputs: 128))
}

/// The overflow-checked Llama sizes equal what the layouts allocate.
@Test(arguments: [
    (tinyLlamaConfig, 3, 16), (tinyQwenConfig, 2, 7),
    (GPTConfig(nLayer: 6, nHead: 6, nEmbd: 384, blockSize: 256, vocabSize: 8192, family: .llama), 4, 256),
    (GPTConfig(nLayer: 3, nHead: 4, nEmbd: 16, blockSize: 64, vocabSize: 300, family: .llama, intermediateSize: 4), 2, 64),
])
func llamaCheckedSizesMatchTheLayouts(config: GPTConfig, batch: Int, sequence: Int) throws {
    let sizes = try #require(GPTModel.checkedSizes(config: config, batch: batch, sequence: sequence))
    #expect(sizes.parameters == ParameterLayout(config: config).totalCount)
    #expect(sizes.activations * MemoryLayout<Float>.stride == GPTModel.activationBytes(config: config, batch: batch, sequence: sequence))
    var huge = config
    huge.intermediateSize = Int.max / 2
    #expect(GPTModel.checkedSizes(config: huge, batch: batch, sequence: sequence) == nil)
}

/// Llama initialization: N(0, 0.02) matrices and embedding, unit gains, seeded; the options
/// zero exactly o_proj, down_proj and an untied head.
@Test func llamaInitialization() throws {
    let config = GPTConfig(nLayer: 2, nHead: 4, nEmbd: 64, blockSize: 32, vocabSize: 256, family: .llama, tiedHead: false)
    func initialized(_ options: InitializationOptions) -> GPTModel {
        let model = GPTModel(config: config, maxBatch: 1, maxSequence: 4)
        var rng = SplitMix64(seed: 42)
        model.initializeWeights(using: &rng, options: options)
        return model
    }
    let plain = initialized(.init()), zeroed = initialized(.init(zeroOutputProjections: true, zeroHead: true))
    for t in plain.layout.tensors {
        let values = plain.parameters[t.range].map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
        let zeroedValues = Array(zeroed.parameters[t.range])
        if t.role == .gain {
            #expect(values.allSatisfy { $0 == 1 })
        } else {
            #expect(abs(std - 0.02) < 2e-3, "\(t.name) std \(std)")
        }
        let shouldZero = t.role == .head || t.name.hasSuffix("o_proj.weight") || t.name.hasSuffix("down_proj.weight")
        #expect(shouldZero ? zeroedValues.allSatisfy { $0 == 0 } : zeroedValues == plain.parameters[t.range].map { $0 }, "\(t.name)")
    }
}

/// FLOPs per token: 6 × the multiplying parameters + 12·L·C·T; an untied head adds V·C, the
/// embedding lookup does not count.
@Test func llamaFlopsPerToken() {
    let tied = tinyLlamaConfig
    var untied = tied
    untied.tiedHead = false
    let n = Double(ParameterLayout(config: tied).totalCount), attention = 12.0 * 2 * 32 * 16
    #expect(GPTModel.flopsPerToken(config: tied, sequence: 16) == 6 * n + attention)
    #expect(GPTModel.flopsPerToken(config: untied, sequence: 16) == 6 * n + attention)
    #expect(ParameterLayout(config: untied).totalCount == Int(n) + 64 * 32)
}
