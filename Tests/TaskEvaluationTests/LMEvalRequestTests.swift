import Foundation
import Testing
import TaskEvaluation

/// The contexts and continuations lm-eval 0.4 itself built for Fixtures/tiny_task.jsonl (captured by a
/// stand-in model inside `simple_evaluate`), and the acc / acc_norm it computed from the stand-in's
/// log-likelihoods, reproduced exactly.
@Suite struct LMEvalRequestTests {
    struct Run {
        let sampling: FewShotSampling, shots: Int, requests: [[[String]]]
        let acc: Double, accStderr: Double, accNorm: Double, accNormStderr: Double
    }

    static func runs() throws -> [Run] {
        let runs = try fixtureJSON("lm_eval_requests.json") as! [[String: Any]]
        return runs.map { run in
            Run(sampling: FewShotSampling(rawValue: run["sampler"] as! String)!, shots: run["shots"] as! Int,
                requests: run["requests"] as! [[[String]]], acc: run["acc"] as! Double, accStderr: run["acc_stderr"] as! Double,
                accNorm: run["acc_norm"] as! Double, accNormStderr: run["acc_norm_stderr"] as! Double)
        }
    }

    @Test func contextsAndContinuationsAreLMEvals() throws {
        let file = try TaskFile(path: fixtureURL("tiny_task.jsonl").path)
        let runs = try Self.runs()
        #expect(runs.count == 4)
        for run in runs {
            var sampler = FewShotSampler(pool: file.items, poolIsTaskFile: true, sampling: run.sampling)
            for (item, expected) in zip(file.items, run.requests) {
                let examples = sampler.examples(for: item, shots: run.shots).map { file.items[$0] }
                let context = PromptFormat().context(of: item, examples: examples)
                guard case .multipleChoice(let choices, _) = item.kind else { Issue.record("not multiple choice"); return }
                #expect(expected == choices.map { [context, " " + $0] }, "\(run.sampling) \(run.shots)-shot, line \(item.line)")
            }
        }
    }

    @Test func accuracyAndStandardErrorsAreLMEvals() throws {
        // The stand-in scored request j of an item -len(continuation)/7 - 0.01 j.
        let file = try TaskFile(path: fixtureURL("tiny_task.jsonl").path)
        for run in try Self.runs() {
            var acc: [Double] = [], norm: [Double] = []
            for item in file.items {
                guard case .multipleChoice(let choices, let label) = item.kind else { return }
                let scores = choices.enumerated().map { j, choice in
                    ContinuationScore(logLikelihood: -Double((" " + choice).unicodeScalars.count) / 7 - 0.01 * Double(j), isGreedy: false)
                }
                acc.append(TaskMetrics.accuracy(ItemResult(scores: scores), label: label))
                norm.append(TaskMetrics.normalizedAccuracy(ItemResult(scores: scores), choices: choices, label: label))
            }
            #expect(MetricValue(items: acc) == MetricValue(value: run.acc, stderr: run.accStderr))
            let normalized = MetricValue(items: norm)
            #expect(normalized.value == run.accNorm)
            #expect(abs(normalized.stderr - run.accNormStderr) <= 1e-15)
        }
    }
}
