import Foundation
import GPT

/// The log-likelihood of a request's continuation and whether greedy decoding would produce it
/// (lm-eval's `(logprob, is_greedy)`).
public struct ContinuationScore: Sendable, Equatable {
    /// Σ log P(continuation token | everything before it).
    public var logLikelihood: Double
    /// Every continuation token is the argmax of its position's logits.
    public var isGreedy: Bool

    /// Creates a score.
    public init(logLikelihood: Double, isGreedy: Bool) {
        self.logLikelihood = logLikelihood
        self.isGreedy = isGreedy
    }
}

/// Scores requests one token at a time through a key/value cache, keeping the cache's longest
/// prefix shared with the next request, so choices after one context compute the context once.
public final class LogLikelihoodScorer {
    /// The cache, reading the model's weights in place.
    public let inference: GPTInference
    /// The tokens whose keys and values the cache holds, in order.
    private var cached: [Int32] = []
    /// Tokens fed through the model since creation (for a speed report).
    public private(set) var tokensFed = 0

    /// Creates a scorer over `model` with a cache of the whole block.
    public init(model: GPTModel) {
        inference = GPTInference(model: model)
    }

    /// Feeds tokens[start...] after the cached ones, handing the logits of each position from
    /// `logitsFrom` on to `onLogits` (earlier positions skip the head: nobody reads them).
    private func feed(_ tokens: ArraySlice<Int32>, from start: Int, logitsFrom: Int,
                      onLogits: (Int, UnsafeBufferPointer<Float>) -> Void) {
        for t in start..<tokens.endIndex {
            if t < logitsFrom {
                inference.append(token: tokens[t])
            } else {
                onLogits(t, inference.next(token: tokens[t]))
            }
            cached.append(tokens[t])
            tokensFed += 1
        }
    }

    /// Keeps the cached tokens that equal the start of `tokens`, up to `limit`; returns how many.
    private func keepCommonPrefix(with tokens: ArraySlice<Int32>, limit: Int) -> Int {
        var common = 0
        let bound = min(limit, cached.count, tokens.count)
        while common < bound && cached[common] == tokens[tokens.startIndex + common] { common += 1 }
        inference.rewind(to: common)
        cached.removeLast(cached.count - common)
        return common
    }

    /// Scores one request: feeds window[..<n-1] (reusing the cached prefix) and sums the
    /// log-probabilities of the last `continuationCount` window tokens.
    public func score(_ request: ScoringRequest) -> ContinuationScore {
        let window = request.window[...]
        let n = window.count
        let firstScored = n - 1 - request.continuationCount  // the position whose logits predict the first continuation token
        precondition(firstScored >= 0 && n - 1 <= inference.capacity, "request does not fit the block")
        let start = keepCommonPrefix(with: window.dropLast(), limit: firstScored)
        var score = ContinuationScore(logLikelihood: 0, isGreedy: true)
        feed(window.dropLast(), from: start, logitsFrom: firstScored) { t, logits in
            let (logProbability, isArgmax) = LogLikelihoodScorer.logSoftmax(logits, at: Int(window[t + 1]))
            score.logLikelihood += logProbability
            score.isGreedy = score.isGreedy && isArgmax
        }
        return score
    }

    /// The logits after `tokens` (at most the block), feeding only what the cache does not already hold.
    /// Valid until the next call.
    public func logits(after tokens: [Int32]) -> UnsafeBufferPointer<Float> {
        precondition(!tokens.isEmpty && tokens.count <= inference.capacity, "need 1...block_size tokens")
        let start = keepCommonPrefix(with: tokens[...], limit: tokens.count - 1)
        var last: UnsafeBufferPointer<Float>? = nil
        feed(tokens[...], from: start, logitsFrom: tokens.count - 1) { _, logits in last = logits }
        return last!
    }

    /// Greedy decoding after `context` for up to `maxTokens` tokens, stopping early when `stop`
    /// says so (it sees the tokens so far) or at `<|endoftext|>` (`endOfText`).
    public func greedy(context: [Int32], maxTokens: Int, endOfText: Int32, stop: ([Int32]) -> Bool) -> [Int32] {
        precondition(!context.isEmpty && context.count + maxTokens - 1 <= inference.capacity, "context and generation exceed the block")
        var last: UnsafeBufferPointer<Float>? = nil
        let start = keepCommonPrefix(with: context[...], limit: context.count - 1)
        feed(context[...], from: start, logitsFrom: context.count - 1) { _, logits in last = logits }
        var generated: [Int32] = []
        while generated.count < maxTokens, let logits = last {
            let token = Int32(LogLikelihoodScorer.argmax(logits))
            if token == endOfText { break }
            generated.append(token)
            if stop(generated) || generated.count == maxTokens { break }
            last = nil
            feed([token][...], from: 0, logitsFrom: 0) { _, logits in last = logits }
        }
        return generated
    }

    /// The index of the first largest logit (torch's and numpy's argmax).
    static func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int {
        var best = 0
        for j in 1..<logits.count where logits[j] > logits[best] { best = j }
        return best
    }

    /// log softmax(logits)[target], computed in Double, and whether target is the first argmax.
    static func logSoftmax(_ logits: UnsafeBufferPointer<Float>, at target: Int) -> (Double, Bool) {
        let best = argmax(logits)
        let maxv = Double(logits[best])
        var sum = 0.0
        for j in 0..<logits.count { sum += exp(Double(logits[j]) - maxv) }
        return (Double(logits[target]) - maxv - log(sum), best == target)
    }
}
