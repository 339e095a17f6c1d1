import ArgumentParser
import Training

extension TrainerCommand {
    /// Fine-tunes a pre-trained checkpoint on instruction or classification records.
    struct Finetune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fine-tune a pre-trained checkpoint for instructions or classification (finetune section of the config).",
            discussion: """
            Reads finetune.init_from (model and tokenizer), finetune.train_file and finetune.val_file (JSONL), and trains \
            as pre-training does: under mpirun every rank takes a slice of each batch of records; checkpoints, --resume, \
            --until-step and metrics.jsonl work the same. See README.md, "Fine-tuning".
            """)

        @OptionGroup var options: ConfigOptions

        @OptionGroup var length: RunLengthOptions

        func run() throws {
            length.train(options.inputs(.finetune))
        }
    }
}
