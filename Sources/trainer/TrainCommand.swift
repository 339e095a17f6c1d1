import ArgumentParser
import Training

extension TrainerCommand {
    /// Trains a model from a config (the default command).
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a GPT as the config says (the default command).",
            discussion: """
            Prepares the tokenizer and token shards when they are missing, then trains. Under mpirun every rank trains a \
            replica on its slice of each batch. SIGINT or SIGTERM finishes the current step, saves a checkpoint and exits 0.
            """)

        @OptionGroup var options: ConfigOptions

        @OptionGroup var length: RunLengthOptions

        func run() throws {
            length.train(options.inputs(.pretrain))
        }
    }
}
