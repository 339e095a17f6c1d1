import ArgumentParser
import Collectives
import Foundation
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
            let config = try options.load()
            let fault: FaultInjection?
            do {
                try RunSetup.checkInputs(config)
                fault = try FaultInjection.fromEnvironment()
            } catch { Launch.failBeforeMPI("\(error)") }
            Launch.run(runDirectory: config.checkpoint.dir) { comm in
                StopSignal.install()
                let threads = RunSetup.configureThreads()
                _ = try comm.agree(onlyRoot: true) { try RunSetup.prepareData(config) { print($0); fflush(nil) } }
                let data = try comm.agree { try RunSetup.prepareData(config) { _ in } }!
                let manifest = data.directory.appendingPathComponent("prepared.json")
                if let mismatch = try StartupCheck.compare(StartupCheck.fingerprint(config: config, dataManifest: manifest), comm: comm) {
                    Launch.stopAll(comm, "[rank 0] error: \(mismatch)")
                }
                let trainer = try comm.agree { try Trainer(config: config, comm: comm, data: data) }!
                let loaded = try comm.agree(onlyRoot: true) {
                    try ResumePoint.stateBytes(resume: length.resume, store: trainer.store, load: trainer.loadCheckpoint)
                } ?? []
                let state = try comm.broadcast(bytes: loaded)
                if state.isEmpty {
                    try trainer.initializeWeights()
                } else {
                    try trainer.adoptCheckpoint(stateBytes: state)
                }
                let log = try comm.agree(onlyRoot: true) { () throws -> MetricsLog in
                    print(RunSetup.summary(config: config, plan: trainer.plan, parameterCount: trainer.model.layout.totalCount, threads: threads))
                    if !state.isEmpty { print("resumed at step \(trainer.step) (\(trainer.tokensSeen) tokens seen)") }
                    return try MetricsLog(runDirectory: URL(fileURLWithPath: config.checkpoint.dir), logEvery: config.training.logEvery,
                                          maxSteps: config.training.maxSteps, fresh: state.isEmpty, worldSize: comm.size,
                                          step: trainer.step, tokens: trainer.tokensSeen)
                }
                trainer.fault = fault
                trainer.watchdog = Watchdog(rank: comm.rank, size: comm.size, limit: config.distributed.watchdogS,
                                            directory: URL(fileURLWithPath: config.checkpoint.dir).appendingPathComponent(".watchdog"))
                if trainer.step >= config.training.maxSteps, comm.isRoot {
                    print("nothing to do: the run already has \(trainer.step) of \(config.training.maxSteps) steps; raise training.max_steps to train further")
                }
                try trainer.run(untilStep: length.untilStep, shouldStop: { StopSignal.raised }) { log?.record($0) }
                trainer.watchdog?.stop()
                log?.finish(trainer.step >= config.training.maxSteps ? "finished" : "stopped")
            }
        }

    }
}
