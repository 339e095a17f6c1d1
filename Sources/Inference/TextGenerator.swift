import Data
import Foundation
import GPT

/// Autoregressive generation with a key/value cache: temperature, top-k and nucleus (top-p)
/// sampling, argmax at temperature 0, reproducible for a seed.
public struct TextGenerator {
    /// Sampling settings.
    public struct Settings: Sendable {
        /// Tokens to generate at most.
        public var maxTokens: Int
        /// Softmax temperature; 0 always takes the most likely token.
        public var temperature: Double
        /// Keep only the k most likely tokens; 0 keeps all.
        public var topK: Int
        /// Keep the most likely tokens whose probabilities add up to p (after top-k); 1 keeps all.
        public var topP: Double
        /// Seed of the sampler's random numbers.
        public var seed: UInt64
        public init(maxTokens: Int, temperature: Double, topK: Int, topP: Double = 1, seed: UInt64) {
            self.maxTokens = maxTokens
            self.temperature = temperature
            self.topK = topK
            self.topP = topP
            self.seed = seed
        }
    }

    let model: GPTModel
    let endOfText: Int32

    public init(model: GPTModel, endOfText: Int32) {
        self.model = model
        self.endOfText = endOfText
    }

    /// Feeds `prompt` (at least one token; only its last block_size are seen), then samples up to
    /// `maxTokens` tokens, passing each to `emit`, which returns false to stop; stops early at
    /// <|endoftext|>. When the context fills, it keeps the last half and re-reads it, so generation
    /// can run past block_size.
    public func generate(prompt: [Int32], settings: Settings, emit: (Int32) -> Bool) {
        let inference = GPTInference(model: model)
        let block = model.config.blockSize
        var rng = SplitMix64(seed: settings.seed)
        var context = Array(prompt.suffix(block))
        var logits = feed(context, into: inference)
        for _ in 0..<settings.maxTokens {
            let next = pick(logits, settings: settings, rng: &rng)
            if next == endOfText || !emit(next) { break }
            context.append(next)
            if inference.length >= block {
                context = Array(context.suffix(block / 2))
                logits = feed(context, into: inference)
            } else {
                logits = inference.next(token: next)
            }
        }
    }

    private func feed(_ tokens: [Int32], into inference: GPTInference) -> UnsafeBufferPointer<Float> {
        inference.reset()
        // Only the last prompt token's logits are read.
        for t in tokens.dropLast() { inference.append(token: t) }
        return tokens.last.map { inference.next(token: $0) } ?? UnsafeBufferPointer<Float>(start: nil, count: 0)
    }

    /// Argmax at temperature 0; otherwise a draw from `distribution(logits, settings)`.
    func pick(_ logits: UnsafeBufferPointer<Float>, settings: Settings, rng: inout SplitMix64) -> Int32 {
        if settings.temperature <= 0 {
            var best = 0
            for i in 1..<logits.count where logits[i] > logits[best] { best = i }
            return Int32(best)
        }
        let candidates = Self.distribution(logits, settings: settings)
        var u = Double(rng.next() >> 11) / Double(1 << 53) * candidates.reduce(0) { $0 + $1.weight }
        for c in candidates {
            u -= c.weight
            if u < 0 { return c.token }
        }
        return candidates.last?.token ?? 0
    }

    /// The tokens a draw at temperature > 0 chooses from and their unnormalized weights
    /// exp((logit - max) / T): all tokens in id order, or the top k by logit (ties: lower id first),
    /// then, for top-p < 1, only the most likely ones whose probabilities reach p (at least one;
    /// as Hugging Face's TopPLogitsWarper), in the same order.
    public static func distribution(_ logits: UnsafeBufferPointer<Float>, settings: Settings) -> [(token: Int32, weight: Double)] {
        var ids = Array(0..<logits.count)
        if settings.topK > 0 && settings.topK < logits.count {
            ids.sort { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
            ids.removeLast(ids.count - settings.topK)
        }
        let top = ids.map { Double(logits[$0]) }.max() ?? 0
        let weights = ids.map { exp((Double(logits[$0]) - top) / settings.temperature) }
        guard settings.topP < 1 else { return zip(ids, weights).map { (Int32($0), $1) } }
        let total = weights.reduce(0, +)
        let byWeight = weights.indices.sorted { weights[$0] > weights[$1] || (weights[$0] == weights[$1] && ids[$0] < ids[$1]) }
        var keep = [Bool](repeating: false, count: ids.count)
        var before = 0.0
        for i in byWeight {
            if before >= settings.topP * total { break }
            keep[i] = true
            before += weights[i]
        }
        return ids.indices.filter { keep[$0] }.map { (Int32(ids[$0]), weights[$0]) }
    }
}
