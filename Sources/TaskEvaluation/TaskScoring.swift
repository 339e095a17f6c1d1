import Collectives
import Data
import Foundation

/// Scores prepared tasks with items split over the ranks; every rank ends with every item's
/// result, in file order, so the figures are the same at any rank count.
public enum TaskScoring {
    /// The contiguous run of items 0..<count that `rank` of `size` scores.
    public static func share(count: Int, rank: Int, size: Int) -> Range<Int> {
        (rank * count / size)..<((rank + 1) * count / size)
    }

    /// Scores `task` with `scorer`: this rank's items, then gathered from every rank.
    public static func score(_ task: PreparedTask, scorer: LogLikelihoodScorer, tokenizer: BPETokenizer,
                             communicator: Communicator) throws -> TaskResult {
        let started = Date()
        let mine = share(count: task.file.items.count, rank: communicator.rank, size: communicator.size)
        var local: [ItemResult] = []
        for i in mine { local.append(scoreItem(task, i, scorer: scorer, tokenizer: tokenizer)) }
        let items = try gather(local, communicator: communicator)
        precondition(items.count == task.file.items.count, "every item is scored by exactly one rank")
        return TaskResult(name: task.file.name, path: task.file.path, shots: task.spec.shots, count: items.count,
                          metrics: metrics(task, items), items: items, contexts: task.contexts,
                          seconds: Date().timeIntervalSince(started))
    }

    /// One item: every choice's score, or the target's score and a greedy generation.
    static func scoreItem(_ task: PreparedTask, _ i: Int, scorer: LogLikelihoodScorer, tokenizer: BPETokenizer) -> ItemResult {
        let scores = task.requests[i].map(scorer.score)
        guard case .generation(_, let stops) = task.file.items[i].kind else { return ItemResult(scores: scores) }
        let stopAt: [String] = stops.isEmpty ? [PromptFormat().fewshotDelimiter] : stops
        let tokens = scorer.greedy(context: task.generationContexts[i], maxTokens: task.maxGenerationTokens,
                                   endOfText: tokenizer.endOfText) { generated in
            let text = tokenizer.decodeString(generated)
            return stopAt.contains { text.contains($0) }
        }
        return ItemResult(scores: scores, generated: cut(tokenizer.decodeString(tokens), at: stopAt))
    }

    /// The text before the first occurrence of any stop string (lm-eval's `until` handling).
    public static func cut(_ text: String, at stops: [String]) -> String {
        var result = text
        for stop in stops where !stop.isEmpty {
            if let range = result.range(of: stop) { result = String(result[..<range.lowerBound]) }
        }
        return result
    }

    /// lm-eval's metrics for the task's kind.
    static func metrics(_ task: PreparedTask, _ items: [ItemResult]) -> [(name: String, value: MetricValue)] {
        var acc: [Double] = [], norm: [Double] = [], exact: [Double] = [], target: [Double] = []
        for (item, result) in zip(task.file.items, items) {
            switch item.kind {
            case .multipleChoice(let choices, let label):
                acc.append(TaskMetrics.accuracy(result, label: label))
                norm.append(TaskMetrics.normalizedAccuracy(result, choices: choices, label: label))
            case .generation(let goal, _):
                exact.append(result.generated.map { $0.trimmingCharacters(in: .whitespaces) == goal.trimmingCharacters(in: .whitespaces) } == true ? 1 : 0)
                target.append(result.scores[0].logLikelihood)
            }
        }
        if !acc.isEmpty { return [("acc", MetricValue(items: acc)), ("acc_norm", MetricValue(items: norm))] }
        return [("exact_match", MetricValue(items: exact)), ("target_loglikelihood", MetricValue(items: target))]
    }

    /// Every rank's results, concatenated in rank order (= item order, as the shares are contiguous):
    /// each rank broadcasts its own in turn; log-likelihoods travel as bit patterns, exactly.
    static func gather(_ local: [ItemResult], communicator: Communicator) throws -> [ItemResult] {
        guard communicator.size > 1 else { return local }
        let mine = Array(try JSONEncoder().encode(local.map(WireItem.init)))
        var all: [ItemResult] = []
        for root in 0..<communicator.size {
            let bytes = try communicator.broadcast(bytes: root == communicator.rank ? mine : [], root: root)
            all += try JSONDecoder().decode([WireItem].self, from: Data(bytes)).map(\.result)
        }
        return all
    }
}

/// An item's result with each Double as its bit pattern, so JSON carries it exactly.
private struct WireItem: Codable {
    let bits: [UInt64]
    let greedy: [Bool]
    let generated: String?

    init(_ result: ItemResult) {
        bits = result.scores.map { $0.logLikelihood.bitPattern }
        greedy = result.scores.map(\.isGreedy)
        generated = result.generated
    }

    var result: ItemResult {
        ItemResult(scores: zip(bits, greedy).map { ContinuationScore(logLikelihood: Double(bitPattern: $0), isGreedy: $1) },
                   generated: generated)
    }
}
