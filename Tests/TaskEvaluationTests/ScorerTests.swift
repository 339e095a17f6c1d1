import Collectives
import Foundation
import GPT
import RunConfig
import TaskEvaluation
import Testing

/// Log-likelihoods through the key/value cache against the full forward pass, and prefix reuse.
@Suite struct ScorerTests {
    /// Σ log softmax of the full forward's logits over the continuation, in Double.
    static func fullForwardScore(_ model: GPTModel, _ request: ScoringRequest) -> Double {
        let input = Array(request.window.dropLast())
        input.withUnsafeBufferPointer { model.forward(inputs: $0, targets: nil, batch: 1, sequence: input.count) }
        var total = 0.0
        for t in (input.count - request.continuationCount)..<input.count {
            let logits = model.logits(batch: 0, position: t).map(Double.init)
            let maxv = logits.max()!
            let lse = maxv + log(logits.reduce(0) { $0 + exp($1 - maxv) })
            total += logits[Int(request.window[t + 1])] - lse
        }
        return total
    }

    @Test func cachedScoresMatchTheFullForwardAndReuseIsExact() throws {
        let model = testModel()
        let encoder = RequestEncoder(tokenizer: testTokenizer, blockSize: model.config.blockSize)
        let contexts = ["the rose is", "there the", "a much longer context that will be cut from the left to fit"]
        let choices = [" red", " the other", " t", " rooted there"]
        let shared = LogLikelihoodScorer(model: model)
        var worst = 0.0
        for context in contexts {
            for choice in choices {
                let request = try encoder.request(context: context, continuation: choice).get()
                let reused = shared.score(request)
                let fresh = LogLikelihoodScorer(model: model).score(request)
                #expect(reused == fresh, "reusing the cached prefix changes nothing, bit for bit")
                worst = max(worst, abs(reused.logLikelihood - Self.fullForwardScore(model, request)))
            }
        }
        #expect(worst < 1e-3)
        // The shared scorer fed fewer tokens than fresh ones would have.
        let perRequest = contexts.flatMap { c in choices.map { try! encoder.request(context: c, continuation: $0).get().window.count - 1 } }
        #expect(shared.tokensFed < perRequest.reduce(0, +))
        print("cached vs full forward: max |Δ log-likelihood| \(worst); tokens fed \(shared.tokensFed) of \(perRequest.reduce(0, +))")
    }

    @Test func greedyFlagsTheArgmaxContinuation() throws {
        let model = testModel()
        let scorer = LogLikelihoodScorer(model: model)
        let context = testTokenizer.encode("the rose")
        let generated = scorer.greedy(context: context, maxTokens: 4, endOfText: -1) { _ in false }
        #expect(generated.count == 4)
        let request = ScoringRequest(window: context + generated, continuationCount: 4)
        #expect(scorer.score(request).isGreedy)
        var other = generated
        other[3] = other[3] == 0 ? 1 : 0
        #expect(!scorer.score(ScoringRequest(window: context + other, continuationCount: 4)).isGreedy)
    }

    @Test func scoringATaskGivesLMEvalsMetricsFromItsScores() throws {
        let path = try temporaryFile("t.jsonl", [
            #"{"context": "the rose", "choices": ["red", "the", "rot"], "label": 0}"#,
            #"{"ctx": "there", "endings": ["the rose", "ro"], "label": 1}"#,
            #"{"context": "a rose", "choices": ["is", "the"], "label": 1}"#,
        ])
        let model = testModel()
        let task = try PreparedTask(spec: TaskSpec(path: path, shots: 1), encoder: RequestEncoder(tokenizer: testTokenizer, blockSize: 24))
        let result = try TaskScoring.score(task, scorer: LogLikelihoodScorer(model: model), tokenizer: testTokenizer, communicator: LocalCommunicator())
        #expect(result.count == 3 && result.items.allSatisfy { !$0.scores.isEmpty })
        let acc = zip(task.file.items, result.items).map { item, scored -> Double in
            guard case .multipleChoice(_, let label) = item.kind else { return -1 }
            return TaskMetrics.argmax(scored.scores.map(\.logLikelihood)) == label ? 1 : 0
        }
        #expect(result.metric("acc") == MetricValue(items: acc))
    }

    @Test func sharesCoverEveryItemOnceAtAnyRankCount() {
        for size in 1...5 {
            let shares = (0..<size).map { TaskScoring.share(count: 11, rank: $0, size: size) }
            #expect(shares.flatMap { Array($0) } == Array(0..<11))
        }
    }

    @Test func standardErrorIsTheSampleStandardDeviationOverRootN() {
        // [1, 0, 1, 1]: mean 0.75, sample sd 0.5, stderr 0.25.
        #expect(MetricValue(items: [1, 0, 1, 1]) == MetricValue(value: 0.75, stderr: 0.25))
        #expect(MetricValue(items: [1]).stderr.isNaN)
    }

    @Test func accNormDividesByCharactersNotBytes() {
        // "süß" is 3 characters (5 bytes): -3.3/3 = -1.1 beats -5.6/5 = -1.12 only when counting characters.
        let result = ItemResult(scores: [ContinuationScore(logLikelihood: -3.3, isGreedy: false), ContinuationScore(logLikelihood: -5.6, isGreedy: false)])
        #expect(TaskMetrics.normalizedAccuracy(result, choices: ["süß", "sweet"], label: 0) == 1)
        #expect(TaskMetrics.accuracy(result, label: 0) == 1)
    }
}
