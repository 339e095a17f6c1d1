#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard normal samples by Box-Muller over any RandomNumberGenerator, so a seeded
/// generator gives the same weights on every platform (no Foundation randomness).
struct NormalSampler {
    private var spare: Double? = nil

    mutating func next<G: RandomNumberGenerator>(using generator: inout G) -> Double {
        if let s = spare {
            spare = nil
            return s
        }
        // u1 in (0, 1] so that log(u1) is finite.
        let u1 = Double((generator.next() >> 11) + 1) * 0x1p-53
        let u2 = Double(generator.next() >> 11) * 0x1p-53
        let radius = (-2 * log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spare = radius * sin(angle)
        return radius * cos(angle)
    }
}

extension GPTModel {
    /// GPT-2 / nanoGPT initialisation: weights and embeddings N(0, 0.02), residual output
    /// projections (`c_proj.weight`) N(0, 0.02/√(2L)), biases 0, LayerNorm weight 1 and bias 0.
    public func initializeWeights<G: RandomNumberGenerator>(using generator: inout G) {
        var sampler = NormalSampler()
        let projStd = 0.02 / (2 * Double(config.nLayer)).squareRoot()
        for tensor in layout.tensors {
            let p = parameters.baseAddress! + tensor.offset
            if tensor.shape.count == 2 {
                let std = tensor.name.hasSuffix("c_proj.weight") ? projStd : 0.02
                for i in 0..<tensor.count { p[i] = Float(sampler.next(using: &generator) * std) }
            } else {
                let isNormWeight = tensor.name.hasSuffix("ln_1.weight") || tensor.name.hasSuffix("ln_2.weight")
                    || tensor.name == "ln_f.weight"
                p.update(repeating: isNormWeight ? 1 : 0, count: tensor.count)
            }
        }
    }
}
