import Collectives
import Data
import Foundation
import GPT
import RunConfig
import TaskEvaluation

/// The figures of one task at one evaluation: lm-eval's metrics by name ("acc", "acc_norm", or
/// "exact_match" and "target_loglikelihood" for generation tasks).
public struct TaskFigure: Sendable {
    /// The task file's name without `.jsonl`, with "_Kshot" for K > 0 (a file may appear twice).
    public var name: String
    /// Each metric and its value, in lm-eval's order.
    public var metrics: [(name: String, value: Double)]
}

/// `eval.tasks`: task files prepared once, when the run starts (a bad file stops every rank before
/// step 0), and scored on the current weights at every evaluation, items split across ranks as
/// `trainer evaluate` splits them, so the figures are the same at any rank count.
public final class TrainingTasks {
    private let prepared: [PreparedTask]
    private let tokenizer: BPETokenizer

    /// Reads and encodes every task of `tasks` for a model of `blockSize` tokens.
    public init(_ tasks: [EvalTask], tokenizerDirectory: URL, blockSize: Int) throws {
        tokenizer = try BPETokenizer.load(from: tokenizerDirectory)
        let encoder = RequestEncoder(tokenizer: tokenizer, blockSize: blockSize)
        prepared = try tasks.map { task in
            let spec = TaskSpec(path: task.file, fewshotPath: task.fewshotFile.isEmpty ? nil : task.fewshotFile, shots: task.shots,
                                sampling: FewShotSampling(rawValue: task.fewshotSampler) ?? .random)
            do { return try PreparedTask(spec: spec, encoder: encoder) } catch { throw TrainingError("eval.tasks: \(error)") }
        }
    }

    /// Scores every task on `model`'s current weights; every rank calls it (a collective).
    func score(model: GPTModel, comm: Communicator) throws -> [TaskFigure] {
        // A new scorer each time: its key/value cache belongs to the weights it was filled with.
        let scorer = LogLikelihoodScorer(model: model)
        return try prepared.map { task in
            let result = try TaskScoring.score(task, scorer: scorer, tokenizer: tokenizer, communicator: comm)
            let name = task.spec.shots == 0 ? result.name : "\(result.name)_\(task.spec.shots)shot"
            return TaskFigure(name: name, metrics: result.metrics.map { ($0.name, $0.value.value) })
        }
    }
}
