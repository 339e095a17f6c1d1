import ArgumentParser
import Foundation
import Training

extension TrainerCommand {
    /// Trains the tokenizer (when absent) and writes the token shards for a config.
    struct Prepare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train the tokenizer if needed and write train/val token shards (llm.c format).",
            discussion: """
            Reads data.corpus (text or JSONL files, optionally .gz, or a folder of them) and writes the shards and \
            prepared.json to data.dir; does nothing when data.dir is up to date. Under mpirun the ranks share the \
            encoding, and the shards are the same at any rank count. With data.corpus empty, checks data.dir's \
            shards (prepared or llm.c's) as training would use them.
            """)

        @OptionGroup var options: ConfigOptions

        func run() throws {
            let inputs = options.inputs(.pretrain, checks: .data)
            Launch.run { comm in
                let data = try RunSetup.prepareData(config: inputs.config, comm: comm, progress: .standardOutput, tokenizerFrom: inputs.initFrom)
                if comm.isRoot { print("prepared \(data.directory.path): \(data.trainTokens) training and \(data.valTokens) validation tokens") }
            }
        }
    }
}
