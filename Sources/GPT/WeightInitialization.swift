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

/// Choices for a fresh model's weights beyond the family's defaults (modded-nanogpt's
/// zero-initialized projections and head); both off by default.
public struct InitializationOptions: Sendable, Equatable {
    /// Llama only: o_proj and down_proj start at zero, so every block starts as the identity on
    /// the residual stream (their gradients are not zero: their inputs are not).
    public var zeroOutputProjections: Bool
    /// Llama with an untied head only: lm_head starts at zero (uniform first predictions).
    public var zeroHead: Bool

    /// The options; nothing zeroed by default.
    public init(zeroOutputProjections: Bool = false, zeroHead: Bool = false) {
        self.zeroOutputProjections = zeroOutputProjections
        self.zeroHead = zeroHead
    }
}

extension GPTModel {
    /// Initializes every parameter from the seeded generator, by family:
    /// GPT-2 / nanoGPT: weights and embeddings N(0, 0.02), residual output projections
    /// (`c_proj.weight`) N(0, 0.02/√(2L)), biases 0, LayerNorm weight 1 and bias 0.
    /// Llama (transformers' `_init_weights` with initializer_range 0.02): every matrix, the
    /// embedding and an untied head N(0, 0.02), RMSNorm gains 1; `options` may zero o_proj and
    /// down_proj, and an untied head. The generator advances over every tensor in layout order
    /// whatever the options, so turning one on changes only the tensors it names.
    public func initializeWeights<G: RandomNumberGenerator>(using generator: inout G, options: InitializationOptions = .init()) {
        var sampler = NormalSampler()
        let projStd = 0.02 / (2 * Double(config.nLayer)).squareRoot()
        for tensor in layout.tensors {
            let p = parameters.baseAddress! + tensor.offset
            switch tensor.role {
            case .gain: p.update(repeating: 1, count: tensor.count)
            case .bias: p.update(repeating: 0, count: tensor.count)
            case .embedding, .matrix, .head:
                let gpt2Projection = config.family == .gpt2 && tensor.name.hasSuffix("c_proj.weight")
                let std = gpt2Projection ? projStd : 0.02
                for i in 0..<tensor.count { p[i] = Float(sampler.next(using: &generator) * std) }
                if zeroed(tensor, options) { p.update(repeating: 0, count: tensor.count) }
            }
        }
    }

    /// Whether `options` asks for `tensor` to start at zero.
    private func zeroed(_ tensor: ParameterTensor, _ options: InitializationOptions) -> Bool {
        guard config.family == .llama else { return false }
        if tensor.role == .head { return options.zeroHead }
        return options.zeroOutputProjections
            && (tensor.name.hasSuffix("self_attn.o_proj.weight") || tensor.name.hasSuffix("mlp.down_proj.weight"))
    }
}
