import ArgumentParser
import Collectives
import Foundation
import ModelFiles
import RunConfig
import TaskEvaluation
import Training

extension TrainerCommand {
    /// Scores a checkpoint on zero- and few-shot tasks as lm-evaluation-harness does.
    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score a checkpoint on multiple-choice and generation tasks (JSONL) as lm-evaluation-harness scores them.",
            discussion: """
            Multiple choice: {"context", "choices", "label"} (or llm.c's HellaSwag {"ctx", "endings", "label"}): acc and \
            acc_norm with standard errors. Generation: {"context", "target", "until": [...]}: greedy exact match and the \
            target's log-likelihood. K-shot contexts are built as lm-eval builds them (examples joined by a blank line; \
            random examples with seed 1234, or the first K). Under mpirun the items are split across ranks; the figures \
            are the same at any rank count. A bad task file stops every rank with exit status 2 before scoring.
            """)

        @Argument(help: "A checkpoint directory (step-NNNNNNN) or a run directory (its newest valid checkpoint).", completion: .directory)
        var checkpoint: String

        @Argument(help: "Task files, one JSON object per line.", completion: .file())
        var tasks: [String]

        @Option(help: "Few-shot examples per item (K).")
        var shots = 0

        @Option(help: "Where examples come from (one for every task, or one per task in order); default: each task file itself, never the item being scored.",
                completion: .file())
        var fewshotFile: [String] = []

        @Option(help: "random (lm-eval's default, seed 1234) or first_n.")
        var fewshotSampler = "random"

        @Option(help: "Most tokens a generation item may produce.")
        var maxTokens = 16

        @Option(help: "A LoRA adapter (a checkpoint of a fine-tune with finetune.lora_r > 0, or a PEFT adapter directory) to apply onto the checkpoint; refused if it was trained on other weights.", completion: .directory)
        var adapter: String?

        @Flag(help: "Print lm-eval's results JSON instead of a table.")
        var json = false

        @Option(help: "Write each item's per-choice log-likelihoods and is_greedy to this JSONL file.", completion: .file())
        var logSamples: String?

        func validate() throws {
            guard !tasks.isEmpty else { throw ValidationError("give at least one task file") }
            guard shots >= 0 else { throw ValidationError("--shots must be 0 or more") }
            guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be 1 or more") }
            guard FewShotSampling(rawValue: fewshotSampler) != nil else { throw ValidationError("--fewshot-sampler must be random or first_n") }
            guard fewshotFile.count <= 1 || fewshotFile.count == tasks.count else {
                throw ValidationError("give one --fewshot-file for every task, or one per task (\(tasks.count)), not \(fewshotFile.count)")
            }
        }

        /// The spec of each task file.
        var specs: [TaskSpec] {
            tasks.enumerated().map { index, path in
                let pool = fewshotFile.isEmpty ? nil : fewshotFile[fewshotFile.count == 1 ? 0 : index]
                return TaskSpec(path: path, fewshotPath: pool, shots: shots, sampling: FewShotSampling(rawValue: fewshotSampler)!)
            }
        }

        func run() throws {
            Launch.run { comm in
                RunSetup.configureThreads()
                let warn: (String) -> Void = { text in if comm.isRoot { Log.warning(text) } }
                let loaded = try comm.agree { try LoadedCheckpoint(path: checkpoint, batch: 1, warn: warn, adapter: adapter) }
                let encoder = RequestEncoder(tokenizer: loaded.tokenizer, blockSize: loaded.state.config.model.blockSize)
                let prepared: [PreparedTask]
                do {
                    prepared = try comm.agree { try specs.map { try PreparedTask(spec: $0, encoder: encoder, maxGenerationTokens: maxTokens) } }
                } catch let failure as RankFailure {
                    Launch.stopAll(comm, "error: \(failure.message)", code: 2)
                }
                let scorer = LogLikelihoodScorer(model: loaded.model)
                var results: [TaskResult] = []
                for task in prepared {
                    results.append(try TaskScoring.score(task, scorer: scorer, tokenizer: loaded.tokenizer, communicator: comm))
                }
                guard comm.isRoot else { return }
                try write(results, prepared, checkpoint: loaded.info.directory.path, ranks: comm.size)
            }
        }

        private func write(_ results: [TaskResult], _ prepared: [PreparedTask], checkpoint path: String, ranks: Int) throws {
            if let logSamples {
                let text = try zip(results, prepared).map { try TaskReport.samples($0, items: $1.file.items) }.joined()
                try Data(text.utf8).write(to: URL(fileURLWithPath: logSamples))
            }
            guard json else { return print(TaskReport.table(results)) }
            let config: [String: Any] = [
                "model": "trainer", "model_args": "pretrained=\(path)", "num_fewshot": shots,
                "fewshot_sampler": fewshotSampler, "fewshot_random_seed": 1234, "ranks": ranks,
                "items_per_second": results.map { $0.seconds > 0 ? Double($0.count) / $0.seconds : 0 },
            ]
            print(try TaskReport.json(results, config: config))
        }
    }
}
