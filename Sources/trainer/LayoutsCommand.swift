import ArgumentParser
import RunConfig
import Training

extension TrainerCommand {
    /// Prints the rank counts that split a config's global batch into whole micro-batches.
    struct Layouts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the rank counts (mpirun -n) that split the config's batch into whole micro-batches, on one line.",
            discussion: """
            The divisors of the step's micro-batch count (training.batch_tokens ÷ (micro_batch × block_size)), \
            smallest first; with --finetune, of the fine-tune's (its model, and so its block size, come from \
            finetune.init_from). launch/supervise.sh --hostfile reads it to choose how many ranks to start on the \
            hosts that answer. Example: trainer layouts configs/gpt-small.json  →  1 2 4 8
            """)

        @OptionGroup var options: ConfigOptions

        @Flag(help: "Read the config as a fine-tune's (trainer finetune CONFIG).")
        var finetune = false

        func run() throws {
            let inputs = options.inputs(finetune ? .finetune : .pretrain, checks: .data)
            print(BatchPlan.workingRankCounts(config: inputs.config).map(String.init).joined(separator: " "))
        }
    }
}
