import Checkpoints
import Collectives
import Foundation
import ModelFiles
import RunConfig

/// One rank's part of a training job, from a loaded config to the end of the step loop: the flow
/// that `trainer CONFIG` (pre-training) and `trainer finetune CONFIG` share.
public struct TrainingRun {
    /// What is trained.
    public enum Kind {
        /// Next-token prediction on the prepared corpus (prepared first when needed), from the
        /// weights of training.init_from (opened by `RunInputs`) or from the seed.
        case pretrain(PretrainedWeights?)
        /// Instruction or classification fine-tuning of a pre-trained checkpoint.
        case finetune(FinetuneSetup)
    }

    /// The config, the weights to start from and a fine-tune's records, each read once.
    public var inputs: RunInputs
    /// `--resume`: nil for a fresh run, `ResumePoint.latest`, or a checkpoint directory.
    public var resume: String?
    /// `--until-step`: stop (and save) after this many steps.
    public var untilStep: Int?
    /// `--inexact-resume`: accept a checkpoint whose seed, batch, optimizer settings or data differ.
    public var acceptInexactResume = false

    public var config: TrainConfig { inputs.config }

    public init(inputs: RunInputs, resume: String?, untilStep: Int?, acceptInexactResume: Bool) {
        self.inputs = inputs
        self.resume = resume
        self.untilStep = untilStep
        self.acceptInexactResume = acceptInexactResume
    }

    /// Where a run ended.
    public struct Outcome: Sendable {
        /// Steps completed (max_steps when the run finished).
        public var step: Int
        /// Tokens trained on so far.
        public var tokensSeen: Int
        /// Whether max_steps was reached (else a signal or --until-step stopped it).
        public var finished: Bool
        /// The last evaluation of the step loop, if any.
        public var lastEvaluation: Evaluation?
        /// The newest checkpoint directory written by this invocation, if any (rank 0 only).
        public var lastCheckpoint: URL?
        /// Wall seconds spent in training steps over the whole run, resumed segments included.
        public var trainingSeconds: Double
    }

    /// Runs the job on this rank; `shouldStop` is asked on rank 0 before every step.
    @discardableResult
    public func run(comm: Communicator, shouldStop: () -> Bool) throws -> Outcome {
        let threads = RunSetup.configureThreads()
        let trainer = try assemble(comm: comm, progress: .standardOutput)
        // Rank 0 holds the directory's lock for the whole run, before it reads a checkpoint or
        // opens the metrics, so a second run on the same directory stops here, naming the first.
        let lock = try comm.agreeOnRoot { () throws -> CheckpointLock in
            let lock = try trainer.store.lock()
            if let notice = lock.takeOverNotice { Log.warning(notice) }
            return lock
        }
        defer { lock?.release() }
        let loaded = try comm.agreeOnRoot {
            try ResumePoint.stateBytes(resume: resume, store: trainer.store) { info in
                try trainer.loadCheckpoint(info, acceptInexact: acceptInexactResume) { print($0) }
            }
        } ?? []
        let state = try comm.broadcast(bytes: loaded)
        if state.isEmpty {
            try trainer.start(initFrom: inputs.initFrom)
        } else {
            try trainer.adoptCheckpoint(stateBytes: state)
        }
        let log = try comm.agreeOnRoot { () throws -> MetricsLog in
            print(try RunSetup.summary(config: config, plan: trainer.plan, parameterCount: trainer.model.layout.totalCount, threads: threads))
            for line in startLines { print(line) }
            if !state.isEmpty { print("resumed at step \(trainer.step) (\(trainer.tokensSeen) tokens seen)") }
            return try MetricsLog(runDirectory: URL(fileURLWithPath: config.checkpoint.dir), logEvery: config.training.logEvery,
                                  maxSteps: config.training.maxSteps, fresh: state.isEmpty, worldSize: comm.size,
                                  step: trainer.step, tokens: trainer.tokensSeen)
        }
        trainer.faults = FaultHook(inputs.fault, rank: comm.rank)
        if !config.eval.tasks.isEmpty {
            trainer.tasks = try comm.agree {
                try TrainingTasks(config.eval.tasks, tokenizerDirectory: trainer.tokenizerDirectory, blockSize: config.model.blockSize)
            }
        }
        trainer.watchdog = Watchdog(rank: comm.rank, size: comm.size, limit: config.distributed.watchdogS,
                                    directory: URL(fileURLWithPath: config.checkpoint.dir).appendingPathComponent(".watchdog"))
        if state.isEmpty && trainer.objective.evaluatesBeforeTraining && config.eval.every > 0 {
            let before = try trainer.evaluate()
            log?.record(.evaluation(step: 0, tokens: trainer.tokensSeen, before))
        }
        if trainer.step >= config.training.maxSteps, comm.isRoot {
            print("nothing to do: the run already has \(trainer.step) of \(config.training.maxSteps) steps; raise training.max_steps to train further")
        }
        var lastCheckpoint: URL? = nil
        // A rank whose mpirun is gone must not save: the parent-death signal ends it at once where
        // the OS has one; this check covers the rest before every step.
        try trainer.run(untilStep: untilStep, shouldStop: { ParentWatch.stopIfOrphaned(); return shouldStop() }) { event in
            if case .saved(_, let directory, _, _) = event { lastCheckpoint = directory }
            log?.record(event)
        }
        trainer.watchdog?.stop()
        let finished = trainer.step >= config.training.maxSteps
        log?.finish(finished ? "finished" : "stopped")
        if comm.isRoot, let report = trainer.objective.finalReport(step: trainer.step, last: trainer.lastEvaluation) { print(report) }
        return Outcome(step: trainer.step, tokensSeen: trainer.tokensSeen, finished: finished,
                       lastEvaluation: trainer.lastEvaluation, lastCheckpoint: lastCheckpoint, trainingSeconds: trainer.trainingSeconds)
    }

    /// A trainer at step 0 with the run's starting weights, for measuring steps (`trainer bench`).
    public func startFresh(comm: Communicator, progress: ProgressOutput) throws -> Trainer {
        let trainer = try assemble(comm: comm, progress: progress)
        try trainer.start(initFrom: inputs.initFrom)
        return trainer
    }

    /// Prepares or opens the data, checks that every rank runs the same thing, and builds the
    /// trainer with this kind's objective: the one place a trainer is put together.
    private func assemble(comm: Communicator, progress: ProgressOutput) throws -> Trainer {
        switch inputs.kind {
        case .pretrain(let weights):
            let data = try RunSetup.prepareData(config: config, comm: comm, progress: progress, tokenizerFrom: weights)
            try StartupCheck.verify(config: config, dataHash: FileDigest.sha256(data.identity()), comm: comm)
            return try comm.agree {
                try Trainer(config: config, comm: comm, tokenizerDirectory: data.directory) { plan in
                    try LanguageModelObjective(config: config, plan: plan, data: data)
                }
            }
        case .finetune(let setup):
            try StartupCheck.verify(config: config, dataHash: FileDigest.sha256(URL(fileURLWithPath: config.finetuneSection.trainFile)), comm: comm)
            let trainer = try comm.agree {
                try Trainer(config: config, comm: comm, tokenizerDirectory: setup.initFrom.tokenizerDirectory) { plan -> TrainingObjective in
                    if setup.config.finetuneSection.task == .classify { return ClassificationObjective(setup: setup, plan: plan) }
                    return InstructionObjective(setup: setup, plan: plan)
                }
            }
            trainer.baseWeights = setup.initFrom
            return trainer
        }
    }

    /// What rank 0 prints after the summary: the fine-tuning task, its records, and the notes.
    private var startLines: [String] {
        var lines: [String] = []
        if case .finetune(let setup) = inputs.kind {
            let f = config.finetuneSection
            lines.append("finetune: \(f.task.rawValue) from \(setup.initFrom.directory.path); \(setup.train.count) training and \(setup.val.count) validation records"
                + (f.task == .classify ? "; labels \(setup.labels.joined(separator: ", "))" : "")
                + (f.freezeLayers > 0 ? "; embeddings and \(f.freezeLayers) lowest blocks frozen" : "")
                + (config.lora.map { "; LoRA r \($0.rank), alpha \($0.alpha), dropout \($0.dropout) on \($0.targets.joined(separator: ",")): \(MemoryRequirement.adapterParameters(config)) trainable adapter parameters, base frozen (no base gradients or moments), AdamW" } ?? ""))
        }
        return lines + inputs.notes.map { "note: \($0)" }
    }
}
