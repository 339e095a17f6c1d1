extension ConfigValidation {
    /// The optimizers `training.optimizer` may name.
    public static let optimizers = ["adamw", "muon"]

    /// `training.optimizer`, its Muon settings and the wsd schedule's decay share.
    static func checkOptimizer(_ t: TrainConfig.TrainingSection) throws(ConfigError) {
        guard optimizers.contains(t.optimizer) else {
            throw ConfigError("training.optimizer", "\"\(t.optimizer)\" is not an optimizer; use \"adamw\" or \"muon\"")
        }
        guard t.adamLr >= 0, t.adamLr.isFinite else {
            throw ConfigError("training.adam_lr", "\(t.adamLr) must be 0 (automatic: training.lr / 4) or a positive learning rate, e.g. 1e-3")
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
    /// Divisor of `lr` that gives the AdamW group's rate under Muon when `adam_lr` is 0. The
    /// embeddings and gains want a few times the rate AdamW alone is best at, which is below
    /// Muon's: on Shakespeare (300 steps, Muon lr 0.02), adam_lr lr/2 to lr/4 was best or within
    /// 0.02 of it at n_embd 128 (lr/20 lost 0.15 there) and ≥ lr at n_embd 32 (README, "Muon").
    public static let automaticAdamLrDivisor = 4.0

    /// The AdamW group's peak learning rate under "muon": `adam_lr`, or lr / 4 when it is 0.
    public var resolvedAdamLr: Double { adamLr > 0 ? adamLr : lr / Self.automaticAdamLrDivisor }
}
