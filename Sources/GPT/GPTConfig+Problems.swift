/// One setting of a model config that the model cannot be built with: the field (as the run's
/// config spells it, `model.…`) and what to do about it.
public struct GPTConfigProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// The config key, e.g. `model.qk_norm`.
    public let field: String
    /// What is wrong and how to fix it.
    public let message: String

    /// `field: message`, one line.
    public var description: String { "\(field): \(message)" }
}

extension GPTConfig {
    /// The family-specific settings the model cannot be built with, in field order; empty when
    /// the family settings are consistent. Sizes (positive, n_embd % n_head, vocabulary range,
    /// overflow) are checked by the caller; this assumes n_head > 0 only to name a head size.
    public func problems() -> [GPTConfigProblem] {
        var found: [GPTConfigProblem] = []
        func problem(_ key: String, _ message: String) { found.append(GPTConfigProblem(field: "model." + key, message: message)) }
        let defaults = GPTConfig(nLayer: 0, nHead: 0, nEmbd: 0, blockSize: 0, vocabSize: 0)
        let llamaOnly = "applies to model.family \"llama\" only; set model.family to \"llama\" or remove the key"
        switch family {
        case .gpt2:
            if !tiedHead { problem("tied_head", "false is not supported for GPT-2, whose head is always wte; remove the key or set model.family to \"llama\"") }
            if qkNorm { problem("qk_norm", llamaOnly) }
            if intermediateSize != defaults.intermediateSize { problem("intermediate_size", "\(intermediateSize) " + llamaOnly + " (GPT-2's MLP is 4 × n_embd)") }
            if ropeTheta != defaults.ropeTheta { problem("rope_theta", llamaOnly + " (GPT-2 learns its positions)") }
            if normEps != defaults.normEps { problem("norm_eps", llamaOnly + " (GPT-2's LayerNorm uses 1e-5)") }
        case .llama:
            if nHead > 0, nEmbd % nHead == 0, headSize % 2 != 0 {
                problem("n_head", "head size n_embd / n_head = \(nEmbd) / \(nHead) = \(headSize) is odd; rotary embeddings pair the two halves of a head, so choose n_head with an even n_embd / n_head (e.g. \(Self.evenHeadSuggestion(width: nEmbd, heads: nHead)))")
            }
            if intermediateSize < 0 {
                problem("intermediate_size", "\(intermediateSize) is negative; give the SwiGLU width (≥ 1), or 0 for the default ⌈8·n_embd/3⌉ to a multiple of 64 (\(Self.defaultIntermediateSize(width: max(nEmbd, 1))))")
            }
            if !(ropeTheta > 1 && ropeTheta.isFinite) { problem("rope_theta", "\(ropeTheta) must be a finite number above 1 (10000 is the usual base)") }
            if !(normEps > 0 && normEps < 1) { problem("norm_eps", "\(normEps) must be in (0, 1), e.g. 1e-6 or 1e-5") }
        }
        return found
    }

    /// A head count near `heads` whose head size is whole and even, for the odd-head-size message.
    static func evenHeadSuggestion(width C: Int, heads: Int) -> String {
        guard C > 0, C <= 1 << 16 else { return "an n_embd / n_head that is even" }
        let candidates = (1...C).filter { C % $0 == 0 && (C / $0) % 2 == 0 }
        guard let best = candidates.min(by: { abs($0 - heads) < abs($1 - heads) }) else {
            return "an even n_embd"
        }
        return "n_head = \(best), head size \(C / best)"
    }
}
