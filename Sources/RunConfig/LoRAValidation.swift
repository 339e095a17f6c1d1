import GPT

/// Checks of `finetune.lora_*` against the model being fine-tuned (the init_from model, whose
/// sizes are in `model` by then), before MPI starts.
public enum LoRAValidation {
    /// Throws the first problem: a bad rank, alpha, dropout or target, or a setting LoRA excludes.
    public static func check(_ c: TrainConfig) throws(ConfigError) {
        let f = c.finetuneSection
        guard f.loraR >= 0 else { throw ConfigError("finetune.lora_r", "\(f.loraR) must be 0 (LoRA off) or a rank of 1 or more, e.g. 8") }
        guard let lora = c.lora else { return }
        let family = c.model.family, valid = LoRAProjection.targetNames(family).joined(separator: ", ")
        if let target = lora.unknownTargets(family).first {
            throw ConfigError("finetune.lora_targets", "\"\(target)\" names no \(LoRAProjection.familyName(family)) module; use one or more of \(valid), comma-separated (the \(family.rawValue) family's PEFT names)")
        }
        for p in lora.projections(family) {
            let (i, o) = p.features(c.model)
            guard lora.rank <= min(i, o) else {
                throw ConfigError("finetune.lora_r", "\(lora.rank) is larger than \(p.moduleName)'s matrix (\(i) × \(o)) allows; use a rank of at most \(min(i, o)), e.g. 8")
            }
        }
        guard f.loraAlpha > 0, f.loraAlpha.isFinite else { throw ConfigError("finetune.lora_alpha", "\(f.loraAlpha) must be a positive number, e.g. 16") }
        guard (0..<1).contains(f.loraDropout) else { throw ConfigError("finetune.lora_dropout", "\(f.loraDropout) must be in [0, 1), e.g. 0.05") }
        guard f.freezeLayers == 0 else {
            throw ConfigError("finetune.freeze_layers", "\(f.freezeLayers) is set together with finetune.lora_r; LoRA already freezes the whole base, so set finetune.freeze_layers 0 (or lora_r 0 to freeze layers instead)")
        }
        guard !c.distributed.shardOptimizer else {
            throw ConfigError("distributed.shard_optimizer", "does not shard LoRA adapters, whose optimizer state is already small; set it false or finetune.lora_r 0")
        }
        guard c.training.optimizer != "muon" else {
            throw ConfigError("training.optimizer", "\"muon\" does not train LoRA adapters (rank-\(lora.rank) matrices); set training.optimizer \"adamw\" or finetune.lora_r 0")
        }
    }
}
