import ArgumentParser
import Foundation
import Training

extension TrainerCommand {
    /// Trains a model from a config (the default command).
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a GPT as the config says (the default command).",
            discussion: "Prepares the tokenizer and token shards when they are missing, then trains. Under mpirun every rank trains a replica on its slice of each batch.")

        @OptionGroup var options: ConfigOptions

        func run() throws {
            let config = try options.load()
            do { try RunSetup.checkInputs(config) } catch { Launch.failBeforeMPI("\(error)") }
            Launch.run { comm in
                let threads = RunSetup.configureThreads()
                _ = try Launch.onRoot(comm) { try RunSetup.prepareData(config) { print($0); fflush(nil) } }
                let data = try RunSetup.prepareData(config) { _ in }
                let manifest = data.directory.appendingPathComponent("prepared.json")
                if let mismatch = try StartupCheck.compare(StartupCheck.fingerprint(config: config, dataManifest: manifest), comm: comm) {
                    Launch.stopAll(comm, mismatch)
                }
                let trainer = try Trainer(config: config, comm: comm, data: data)
                try trainer.initializeWeights()
                var log: MetricsLog? = nil
                if comm.isRoot {
                    print(RunSetup.summary(config: config, plan: trainer.plan, parameterCount: trainer.model.layout.totalCount, threads: threads))
                    log = try MetricsLog(runDirectory: URL(fileURLWithPath: config.checkpoint.dir), logEvery: config.training.logEvery, maxSteps: config.training.maxSteps)
                }
                try trainer.run { log?.record($0) }
            }
        }
    }
}
