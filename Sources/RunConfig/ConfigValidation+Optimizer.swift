extension ConfigValidation {
    /// The optimizers `training.optimizer` may name.
    public static let optimizers = ["adamw", "muon"]

    /// `training.optimizer`, its Muon settings and the wsd schedule's decay share.
    static func checkOptimizer(_ t: TrainConfig.TrainingSection) throws(ConfigError) {
        guard optimizers.contains(t.optimizer) else {
            throw ConfigError("training.optimizer", "\"\(t.optimizer)\" is not an optimizer; use \"adamw\" or \"muon\"")
        }
        guard t.adamLr >= 0, t.adamLr.isFinite else {
            throw ConfigError("training.adam_lr", "\(t.adamLr) must be 0 (automatic: training.lr / 20) or a positive learning rate, e.g. 1e-3")
        }
        guard (0..<1).contains(t.muonMomentum) else {
            throw ConfigError("training.muon_momentum", "\(t.muonMomentum) must be in [0, 1), e.g. 0.95")
        }
        guard t.decayFraction > 0, t.decayFraction <= 1 else {
            throw ConfigError("training.decay_fraction", "\(t.decayFraction) must be above 0 and at most 1 (the share of max_steps the wsd schedule decays over), e.g. 0.2")
        }
    }
}

extension TrainConfig.TrainingSection {
    /// Divisor of `lr` that gives the AdamW group's rate under Muon when `adam_lr` is 0: Muon's
    /// update has element RMS about lr·√max(1, out/in)/√max(out, in), lr/20 to lr/40 at n_embd
    /// 384–768, so lr/20 gives embeddings and gains steps of about that size (and Muon's usual
    /// lr 0.02 gives AdamW's usual 1e-3).
    public static let automaticAdamLrDivisor = 20.0

    /// The AdamW group's peak learning rate under "muon": `adam_lr`, or lr / 20 when it is 0.
    public var resolvedAdamLr: Double { adamLr > 0 ? adamLr : lr / Self.automaticAdamLrDivisor }
}
