import Foundation
import GPT

/// When beam search stops, as transformers' `early_stopping` says.
public enum BeamStopping: Sendable {
    /// transformers' `False` (the default): stop when the best running beam, normalized at its
    /// current length, cannot beat the worst of the finished ones.
    case heuristic
    /// transformers' `True`: stop as soon as `beams` sequences have finished.
    case whenFull
    /// transformers' `"never"`: the same bound, but with the longest possible length when length_penalty > 0.
    case never
}

/// Beam search as transformers 5's `_beam_search` does it (do_sample=False): each step keeps the
/// 2N best continuations of the N running beams by summed log-probability; those among the first N
/// that end (`<|endoftext|>` or the last allowed token) become finished hypotheses scored
/// sum_logprobs / generated_length^length_penalty, the rest continue. Returns the best finished one.
public struct BeamSearch {
    /// N, beams kept (1 is greedy decoding).
    public var beams: Int
    /// transformers' length_penalty: > 0 favours longer sequences, < 0 shorter ones.
    public var lengthPenalty: Double
    /// When to stop before `maxTokens`.
    public var stopping: BeamStopping

    /// Creates a search with transformers' defaults for the penalty (1.0) and stopping (False).
    public init(beams: Int, lengthPenalty: Double = 1, stopping: BeamStopping = .heuristic) {
        precondition(beams >= 1, "need at least one beam")
        self.beams = beams
        self.lengthPenalty = lengthPenalty
        self.stopping = stopping
    }

    /// One hypothesis: tokens after the prompt and its score.
    struct Hypothesis {
        var tokens: [Int32]
        var score: Double
        var finished = false
    }

    /// The highest-scoring continuation of `prompt` (ending with `endOfText` if it finished so),
    /// at most `maxTokens` tokens and within the block.
    public func generate(model: GPTModel, prompt: [Int32], maxTokens: Int, endOfText: Int32) -> [Int32] {
        precondition(!prompt.isEmpty && prompt.count + maxTokens <= model.config.blockSize + 1, "prompt and generation exceed the block")
        let slots = (0..<beams).map { _ in LogLikelihoodScorer(model: model) }
        var running = [Hypothesis(tokens: [], score: 0)] + Array(repeating: Hypothesis(tokens: [], score: -1e9), count: beams - 1)
        var finished = Array(repeating: Hypothesis(tokens: [], score: -1e9), count: beams)
        var open = true  // transformers' is_early_stop_heuristic_unsatisfied
        for step in 0..<maxTokens {
            let candidates = topCandidates(running, slots: slots, prompt: prompt, count: 2 * beams)
            let hits = candidates.map { $0.tokens.last! == endOfText || step + 1 == maxTokens }
            let full = stopping == .whenFull && finished.allSatisfy(\.finished)
            let length = pow(Double(step + 1), lengthPenalty)
            var merged = finished
            for (i, candidate) in candidates.enumerated() {
                let done = i < beams && hits[i]
                let penalty = (full ? -1e9 : 0) + (open ? 0 : -1e9) + (done ? 0 : -1e9)
                merged.append(Hypothesis(tokens: candidate.tokens, score: candidate.score / length + penalty, finished: done))
            }
            finished = Array(BeamSearch.sortedByScore(merged).prefix(beams))
            running = Array(BeamSearch.sortedByScore(candidates.enumerated().map { i, c in
                Hypothesis(tokens: c.tokens, score: c.score + (hits[i] ? -1e9 : 0))
            }).prefix(beams))
            let bestLength = stopping == .never && lengthPenalty > 0 ? maxTokens : step + 1
            let best = running[0].score / pow(Double(bestLength), lengthPenalty)
            let worst = finished.map(\.score).min()!
            open = open && finished.contains { best > ($0.finished ? worst : -1e9) }
            let allFinishedEarly = stopping == .whenFull && finished.allSatisfy(\.finished)
            if !open || allFinishedEarly || hits.allSatisfy({ $0 }) { break }
        }
        return finished[0].tokens
    }

    /// The `count` best (beam, token) continuations by summed log-probability, best first; equal
    /// scores keep the lower flat index (beam · V + token) first.
    private func topCandidates(_ running: [Hypothesis], slots: [LogLikelihoodScorer], prompt: [Int32], count: Int) -> [Hypothesis] {
        var all: [(score: Double, index: Int)] = []
        var vocab = 0
        for (b, beam) in running.enumerated() {
            let logits = slots[b].logits(after: prompt + beam.tokens)
            vocab = logits.count
            let maxv = Double(logits.max()!)
            let lse = maxv + log(logits.reduce(0.0) { $0 + exp(Double($1) - maxv) })
            for v in 0..<logits.count { all.append((beam.score + Double(logits[v]) - lse, b * logits.count + v)) }
        }
        all.sort { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
        return all.prefix(count).map { candidate in
            Hypothesis(tokens: running[candidate.index / vocab].tokens + [Int32(candidate.index % vocab)], score: candidate.score)
        }
    }

    /// Stable sort, best score first (ties keep their order, as the merged lists are built in rank order).
    static func sortedByScore(_ list: [Hypothesis]) -> [Hypothesis] {
        list.enumerated().sorted { $0.element.score != $1.element.score ? $0.element.score > $1.element.score : $0.offset < $1.offset }.map(\.element)
    }
}
