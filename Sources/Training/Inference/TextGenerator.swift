import Data
import Foundation
import GPT

/// Autoregressive generation with a key/value cache: temperature and top-k sampling, argmax at
/// temperature 0, reproducible for a seed.
public struct TextGenerator {
    /// Sampling settings.
    public struct Settings: Sendable {
        public var maxTokens: Int
        public var temperature: Double
        public var topK: Int
        public var seed: UInt64
        public init(maxTokens: Int, temperature: Double, topK: Int, seed: UInt64) {
            self.maxTokens = maxTokens
            self.temperature = temperature
            self.topK = topK
            self.seed = seed
        }
    }

    let model: GPTModel
    let endOfText: Int32

    public init(model: GPTModel, endOfText: Int32) {
        self.model = model
        self.endOfText = endOfText
    }

    /// Feeds `prompt` (at least one token), then samples up to `maxTokens` tokens, passing each to
    /// `emit`; stops early at <|endoftext|>. When the context fills, it keeps the last half and
    /// re-reads it, so generation can run past block_size.
    public func generate(prompt: [Int32], settings: Settings, emit: (Int32) -> Void) {
        let inference = GPTInference(model: model)
        let block = model.config.blockSize
        var rng = SplitMix64(seed: settings.seed)
        var context = Array(prompt.suffix(block))
        var logits = feed(context, into: inference)
        for _ in 0..<settings.maxTokens {
            let next = pick(logits, settings: settings, rng: &rng)
            if next == endOfText { break }
            emit(next)
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
        var logits = UnsafeBufferPointer<Float>(start: nil, count: 0)
        for t in tokens { logits = inference.next(token: t) }
        return logits
    }

    /// Argmax at temperature 0; otherwise a draw from softmax(logits / T) over the top k.
    func pick(_ logits: UnsafeBufferPointer<Float>, settings: Settings, rng: inout SplitMix64) -> Int32 {
        if settings.temperature <= 0 {
            var best = 0
            for i in 1..<logits.count where logits[i] > logits[best] { best = i }
            return Int32(best)
        }
        var candidates = Array(0..<logits.count)
        if settings.topK > 0 && settings.topK < logits.count {
            candidates.sort { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
            candidates.removeLast(candidates.count - settings.topK)
        }
        let top = candidates.map { Double(logits[$0]) }.max() ?? 0
        let weights = candidates.map { exp((Double(logits[$0]) - top) / settings.temperature) }
        var u = Double(rng.next() >> 11) / Double(1 << 53) * weights.reduce(0, +)
        for (i, w) in weights.enumerated() {
            u -= w
            if u < 0 { return Int32(candidates[i]) }
        }
        return Int32(candidates.last ?? 0)
    }
}
