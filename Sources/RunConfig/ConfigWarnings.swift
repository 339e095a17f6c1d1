extension ConfigValidation {
    /// Settings that are valid but most likely not what was meant, each as one line for stderr
    /// (issue 28, item 8): a run that does them silently is hard to notice afterwards.
    public static func warnings(_ config: TrainConfig) -> [String] {
        var lines: [String] = []
        let t = config.training
        if t.warmupSteps > t.maxSteps {
            lines.append("training.warmup_steps (\(t.warmupSteps)) is more than training.max_steps (\(t.maxSteps)): the learning rate is still warming up when the run ends and never reaches training.lr; lower warmup_steps or raise max_steps")
        }
        return lines
    }
}
