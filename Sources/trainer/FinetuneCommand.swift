import ArgumentParser
import Foundation
import RunConfig
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
            let setup: FinetuneSetup
            let fault: FaultInjection?
            do {
                let model = try FinetuneSetup.modelOverrides(configPath: options.config, overrides: options.overrides)
                setup = try FinetuneSetup(config: try options.load(extraOverrides: model), warn: { text in
                    if Launch.launcherRank == 0 { Log.warning(text) }
                })
                try RunSetup.checkMemory(setup.config)
                fault = try FaultInjection.fromEnvironment()
            } catch {
                Launch.failBeforeMPI("\(error)")
            }
            let job = TrainingRun(config: setup.config, kind: .finetune(setup), resume: length.resume, untilStep: length.untilStep,
                                  acceptInexactResume: length.inexactResume, fault: fault)
            Launch.run(runDirectory: setup.config.checkpoint.dir) { comm in
                StopSignal.install()
                try job.run(comm: comm, shouldStop: { StopSignal.raised })
            }
        }
    }
}
