import Foundation

/// The outputs of `trainer evaluate`: a table, lm-eval's results JSON, and per-item samples.
public enum TaskReport {
    /// lm-eval's `results` / `n-shot` / `config` layout; a missing standard error is "N/A" as lm-eval writes it.
    public static func json(_ results: [TaskResult], config: [String: Any]) throws -> String {
        var tasks: [String: Any] = [:], shots: [String: Any] = [:]
        for result in results {
            var entry: [String: Any] = ["alias": result.name, "samples": result.count]
            for (name, metric) in result.metrics {
                entry["\(name),none"] = metric.value
                entry["\(name)_stderr,none"] = metric.stderr.isFinite ? metric.stderr : "N/A"
            }
            tasks[result.name] = entry
            shots[result.name] = result.shots
        }
        let object: [String: Any] = ["results": tasks, "n-shot": shots, "config": config]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// One line per task and metric: value ± standard error, items, shots and items per second.
    public static func table(_ results: [TaskResult]) -> String {
        var lines = ["task                              shots  metric                 value   stderr  items  items/s"]
        for result in results {
            for (name, metric) in result.metrics {
                let rate = result.seconds > 0 ? Double(result.count) / result.seconds : 0
                lines.append(pad(result.name, 34) + pad(String(result.shots), 7) + pad(name, 21)
                             + String(format: "%7.4f  %7.4f  %5d  %7.1f", metric.value, metric.stderr, result.count, rate))
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    /// One JSON object per item: its context, per-choice log-likelihoods and is_greedy, label and metrics.
    public static func samples(_ result: TaskResult, items: [TaskItem]) throws -> String {
        var lines: [String] = []
        for (index, (item, scored)) in zip(items, result.items).enumerated() {
            var object: [String: Any] = [
                "doc_id": index, "line": item.line, "task": result.name, "context": result.contexts[index],
                "loglikelihoods": scored.scores.map(\.logLikelihood), "is_greedy": scored.scores.map(\.isGreedy),
            ]
            switch item.kind {
            case .multipleChoice(let choices, let label):
                object["choices"] = choices
                object["label"] = label
                object["acc"] = TaskMetrics.accuracy(scored, label: label)
                object["acc_norm"] = TaskMetrics.normalizedAccuracy(scored, choices: choices, label: label)
            case .generation(let target, _):
                object["target"] = target
                object["generated"] = scored.generated ?? ""
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            lines.append(String(decoding: data, as: UTF8.self))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
