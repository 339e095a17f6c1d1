import ArgumentParser
import ModelFiles
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
            let pretrained: [String]
            do { pretrained = try PretrainedWeights.modelOverrides(configPath: options.config, overrides: options.overrides, key: "training.init_from") } catch { Launch.failBeforeMPI("\(error)") }
            let config = try options.load(extraOverrides: pretrained)
            let fault: FaultInjection?
            do {
                try RunSetup.checkInputs(config)
                fault = try FaultInjection.fromEnvironment()
            } catch { Launch.failBeforeMPI("\(error)") }
            let job = TrainingRun(config: config, kind: .pretrain, resume: length.resume, untilStep: length.untilStep,
                                  acceptInexactResume: length.inexactResume, fault: fault)
            Launch.run(runDirectory: config.checkpoint.dir) { comm in
                StopSignal.install()
                try job.run(comm: comm, shouldStop: { StopSignal.raised })
            }
        }
    }
}
