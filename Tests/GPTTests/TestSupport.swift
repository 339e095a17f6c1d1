import GPT
import Testing

/// SplitMix64: a tiny seeded generator so every test is deterministic.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The tiny model used by the behaviour tests: smaller than configs/gpt-tiny.json (vocab 64, block 16)
/// so that finite differences over every parameter stay cheap.
let tinyConfig = GPTConfig(nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 16, vocabSize: 64)

/// Tiny Llama models for the behaviour tests: tied, and untied with Qwen3's qk_norm and an
/// intermediate size that is not a multiple of anything in particular.
let tinyLlamaConfig = GPTConfig(nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 16, vocabSize: 64, family: .llama, intermediateSize: 40)
let tinyQwenConfig = GPTConfig(nLayer: 2, nHead: 4, nEmbd: 32, blockSize: 16, vocabSize: 64, family: .llama,
                               intermediateSize: 40, tiedHead: false, qkNorm: true, ropeTheta: 500, normEps: 1e-5)

/// Fills the model with larger-than-GPT-2 random weights and non-trivial norm gains,
/// so that every gradient carries signal well above float32 round-off.
func randomizeParameters(_ model: GPTModel, seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    func uniform() -> Float { Float(rng.next() >> 40) / Float(1 << 24) * 2 - 1 }
    for t in model.layout.tensors {
        let p = model.parameters.baseAddress! + t.offset
        let isNormWeight = t.role == .gain
        for i in 0..<t.count {
            if isNormWeight {
                p[i] = 1 + 0.2 * uniform()
            } else if t.shape.count == 1 {
                p[i] = 0.1 * uniform()
            } else {
                p[i] = 0.3 * uniform()
            }
        }
    }
}

/// Random tokens (batch·sequence) and targets with the given positions set to -1 (ignored).
func randomBatch(batch: Int, sequence: Int, vocab: Int, seed: UInt64, ignored: [Int] = []) -> (inputs: [Int32], targets: [Int32]) {
    var rng = SplitMix64(seed: seed)
    let inputs = (0..<(batch * sequence)).map { _ in Int32(rng.next() % UInt64(vocab)) }
    var targets = (0..<(batch * sequence)).map { _ in Int32(rng.next() % UInt64(vocab)) }
    for i in ignored { targets[i] = -1 }
    return (inputs, targets)
}

extension GPTModel {
    /// forward over Swift arrays.
    @discardableResult
    func forward(_ inputs: [Int32], _ targets: [Int32]?, batch: Int, sequence: Int, gradientScale: Float? = 1) -> LossSum {
        inputs.withUnsafeBufferPointer { i in
            if let targets {
                return targets.withUnsafeBufferPointer { t in
                    forward(inputs: i, targets: t, batch: batch, sequence: sequence, gradientScale: gradientScale)
                }
            }
            return forward(inputs: i, targets: nil, batch: batch, sequence: sequence)
        }
    }
}

/// A model of `config` holding a reference's flat `params`, after a forward over the reference
/// batch with gradientScale 1/(counted targets): the model, its loss and that count.
func referenceForward(config: GPTConfig, params: [Float], inputs: [Int32], targets: [Int32],
                      batch B: Int, sequence T: Int) -> (GPTModel, LossSum, Int) {
    let model = GPTModel(config: config, maxBatch: B, maxSequence: T)
    #expect(model.layout.totalCount == params.count)
    _ = model.parameters.initialize(from: params)
    model.zeroGradients()
    let counted = targets.filter { $0 >= 0 }.count
    let loss = model.forward(inputs, targets, batch: B, sequence: T, gradientScale: 1 / Float(counted))
    #expect(loss.count == counted)
    return (model, loss, counted)
}
