import Foundation
import ModelFiles
import RunConfig

/// Everything a run reads before MPI starts, each once: the config (file and `--set` overrides),
/// the weights it starts from (`init_from`, opened once; their model replaces the config's, as
/// nanoGPT assigns a checkpoint's model arguments), a fine-tune's records, and the checks that
/// need the model and the launcher's world size. `trainer CONFIG`, `finetune`, `bench` and
/// `prepare` start here; every rank reaches the same verdict from the same files.
///
///     let inputs = try RunInputs.load(configPath: "configs/gpt-small.json", overrides: [], objective: .pretrain)
///     let job = TrainingRun(inputs: inputs, resume: nil, untilStep: nil, acceptInexactResume: false)
public struct RunInputs {
    /// What the run trains.
    public enum Objective: Sendable {
        /// Next-token prediction; `training.init_from` is optional.
        case pretrain
        /// Instruction or classification fine-tuning of `finetune.init_from`.
        case finetune
    }

    /// What the run needs before step 0 but not after.
    public enum Checks: Sendable {
        /// Everything, the memory of this machine's ranks included (training and bench).
        case all
        /// All but the model's memory (`trainer prepare` builds no model).
        case data
    }

    /// The checked config, its model section the pre-trained model's when there is one.
    public let config: TrainConfig
    /// What is trained and from which weights.
    public let kind: TrainingRun.Kind
    /// Remarks for rank 0 to print at start-up (e.g. that the model section was replaced).
    public let notes: [String]
    /// A deliberate failure for tests (TRAINER_FAULT).
    public let fault: FaultInjection?

    /// Reads the config at `configPath` with `overrides`, opens its init_from, replaces the
    /// model section with init_from's and checks the result; for a fine-tune, reads its records.
    /// Throws the first problem as one line naming the field or file.
    public static func load(configPath: String, overrides: [String], objective: Objective, checks: Checks = .all) throws -> RunInputs {
        var config = try ConfigLoader.read(path: configPath, overrides: overrides)
        let (key, path) = objective == .finetune ? ("finetune.init_from", config.finetuneSection.initFrom)
                                                  : ("training.init_from", config.training.initFrom)
        var notes: [String] = []
        var initFrom: PretrainedWeights? = nil
        if !path.isEmpty {
            let weights: PretrainedWeights
            do { weights = try PretrainedWeights.open(path, warn: { if LaunchEnvironment.current.rank == 0 { Log.warning($0) } }) } catch {
                throw TrainingError("\(key): \(error)")
            }
            if config.model != weights.modelConfig {
                notes.append("model: taken from \(weights.directory.path) (\(PretrainedWeights.describe(weights.modelConfig))); the config's model section is ignored")
                config.model = weights.modelConfig
            }
            initFrom = weights
        } else if objective == .finetune {
            // Before the model-dependent checks, which would judge a model nobody asked for.
            try FinetuneValidation.check(config)
        }
        try ConfigValidation.check(config)
        let kind: TrainingRun.Kind
        switch objective {
        case .pretrain:
            kind = .pretrain(initFrom)
        case .finetune:
            config.resolveLoRATargets()  // the family is the init_from model's by now
            try FinetuneValidation.check(config)
            // FinetuneValidation refuses an empty init_from, so the weights are open here.
            let setup = try FinetuneSetup(config: config, initFrom: initFrom!)
            config = setup.config
            notes += setup.notes
            kind = .finetune(setup)
        }
        switch (checks, objective) {
        case (.all, .pretrain): try RunSetup.checkInputs(config)
        case (.all, .finetune): try RunSetup.checkMemory(config)
        case (.data, _): try RunSetup.checkInputs(config, model: false)
        }
        return RunInputs(config: config, kind: kind, notes: notes, fault: try FaultInjection.fromEnvironment())
    }

    /// The weights a fresh run starts from: a fine-tune's pre-trained model, or training.init_from
    /// for pre-training; nil starts from random weights.
    public var initFrom: PretrainedWeights? {
        switch kind {
        case .pretrain(let weights): weights
        case .finetune(let setup): setup.initFrom
        }
    }

    /// Inputs already read and checked (a sweep cell's config, a test's).
    public init(config: TrainConfig, kind: TrainingRun.Kind, notes: [String] = [], fault: FaultInjection? = nil) {
        self.config = config
        self.kind = kind
        self.notes = notes
        self.fault = fault
    }
}
