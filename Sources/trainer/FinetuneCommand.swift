import ArgumentParser
import Collectives
import Foundation
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
            do {
                let model = try FinetuneSetup.modelOverrides(configPath: options.config, overrides: options.overrides)
                setup = try FinetuneSetup(config: try options.load(extraOverrides: model), warn: { text in
                    if Launch.launcherRank == 0 { FileHandle.standardError.write(Data("warning: \(text)\n".utf8)) }
                })
            } catch {
                Launch.failBeforeMPI("\(error)")
            }
            Launch.run(runDirectory: setup.config.checkpoint.dir) { comm in try finetune(comm: comm, setup: setup) }
        }

        /// The fine-tuning job on one rank.
        private func finetune(comm: Communicator, setup: FinetuneSetup) throws {
            let config = setup.config
            StopSignal.install()
            let threads = RunSetup.configureThreads()
            let fingerprint = StartupCheck.fingerprint(config: config, dataManifest: URL(fileURLWithPath: config.finetuneSection.trainFile))
            if let mismatch = try StartupCheck.compare(fingerprint, comm: comm) { Launch.stopAll(comm, "[rank 0] error: \(mismatch)") }
            let trainer = try comm.agree {
                try FinetuneTrainer(config: config, comm: comm, train: setup.train, val: setup.val, labels: setup.labels,
                                    tokenizerDirectory: setup.initFrom.directory)
            }!
            let loaded = try comm.agree(onlyRoot: true) {
                try ResumePoint.stateBytes(resume: length.resume, store: trainer.store, load: trainer.loadCheckpoint)
            } ?? []
            let state = try comm.broadcast(bytes: loaded)
            if state.isEmpty {
                try trainer.start(from: setup.initFrom.directory)
            } else {
                try trainer.adoptCheckpoint(stateBytes: state)
            }
            let f = config.finetuneSection
            let log = try comm.agree(onlyRoot: true) { () throws -> MetricsLog in
                print(RunSetup.summary(config: config, plan: trainer.plan, parameterCount: trainer.model.layout.totalCount, threads: threads))
                print("finetune: \(f.task) from \(setup.initFrom.directory.path); \(setup.train.count) training and \(setup.val.count) validation records"
                      + (f.task == "classify" ? "; labels \(setup.labels.joined(separator: ", "))" : "")
                      + (f.freezeLayers > 0 ? "; embeddings and \(f.freezeLayers) lowest blocks frozen" : ""))
                for note in setup.notes { print("note: \(note)") }
                if !state.isEmpty { print("resumed at step \(trainer.step)") }
                return try MetricsLog(runDirectory: URL(fileURLWithPath: config.checkpoint.dir), logEvery: config.training.logEvery,
                                      maxSteps: config.training.maxSteps, fresh: state.isEmpty, worldSize: comm.size,
                                      step: trainer.step, tokens: trainer.tokensSeen)
            }
            trainer.watchdog = Watchdog(rank: comm.rank, size: comm.size, limit: config.distributed.watchdogS,
                                        directory: URL(fileURLWithPath: config.checkpoint.dir).appendingPathComponent(".watchdog"))
            let record: (Int, FinetuneEvaluation) -> Void = { step, result in
                log?.recordFinetuneEvaluation(step: step, tokens: trainer.tokensSeen, maxSteps: config.training.maxSteps, result)
            }
            if state.isEmpty && config.eval.every > 0 {
                let before = try trainer.evaluate()
                if comm.isRoot { record(0, before) }
            }
            if trainer.step >= config.training.maxSteps, comm.isRoot {
                print("nothing to do: the run already has \(trainer.step) of \(config.training.maxSteps) steps; raise training.max_steps to train further")
            }
            try trainer.run(untilStep: length.untilStep, shouldStop: { StopSignal.raised }, onEvent: { log?.record($0) }, onEvaluation: record)
            trainer.watchdog?.stop()
            log?.finish(trainer.step >= config.training.maxSteps ? "finished" : "stopped")
            if comm.isRoot, let last = trainer.lastEvaluation, last.accuracy != nil {
                print("confusion (rows: true label, columns: predicted), step \(trainer.step):\n" + last.confusionTable())
            }
        }
    }
}
