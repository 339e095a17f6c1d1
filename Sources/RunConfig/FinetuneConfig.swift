import Foundation
import GPT

extension TrainConfig {
    /// The `finetune` section, read by `trainer finetune`.
    public struct FinetuneSection: Codable, Sendable, Equatable {
        /// The pre-trained checkpoint to start from: a step directory, a run directory (its newest
        /// valid checkpoint), or a Hugging Face GPT-2 directory (config.json, model.safetensors,
        /// vocab.json, merges.txt). Its model dimensions and tokenizer are used; the config's `model`
        /// section is replaced by the checkpoint's.
        public var initFrom = ""
        /// What the fine-tune learns.
        public var task = FinetuneTask.instruct
        /// Training records, JSONL: {instruction, input (optional), output} or {text, label}.
        public var trainFile = ""
        /// Held-out records in the same format.
        public var valFile = ""
        /// Classification labels in class order, comma-separated; empty takes the distinct labels
        /// of the training file, sorted. Saved checkpoints record the resolved list.
        public var labels = ""
        /// Freeze the token and position embeddings and the lowest this many transformer blocks
        /// (0 trains everything). With the LM head tied to wte, instruct runs freeze it too.
        public var freezeLayers = 0
        /// LoRA's rank r (0: off). With r > 0 the base stays frozen and only adapters on
        /// `lora_targets` (and a classifier's head) train; checkpoints hold PEFT adapters.
        public var loraR = 0
        /// LoRA's alpha: the adapters' update is scaled by alpha / r (PEFT's default 8).
        public var loraAlpha = 8.0
        /// Dropout on the adapters' input while training, in [0, 1).
        public var loraDropout = 0.0
        /// Projections to adapt, comma-separated, as PEFT names the modules (a name or a dotted
        /// suffix of one): GPT-2's c_attn, c_proj (both attn.c_proj and mlp.c_proj), c_fc,
        /// attn.c_proj, mlp.c_proj; Llama's q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj,
        /// down_proj. Empty: PEFT's default for the family (`LoRAProjection.defaultTargets`:
        /// c_attn; q_proj,v_proj), written into the run's config once the model is known.
        public var loraTargets = ""
        public init() {}
        enum CodingKeys: String, CodingKey {
            case initFrom = "init_from", task, trainFile = "train_file", valFile = "val_file", labels
            case freezeLayers = "freeze_layers"
            case loraR = "lora_r", loraAlpha = "lora_alpha", loraDropout = "lora_dropout", loraTargets = "lora_targets"
        }

        /// The LoRA settings for a model of `family`, or nil when `lora_r` is 0 (off).
        public func lora(family: ModelFamily) -> LoRASettings? {
            guard loraR > 0 else { return nil }
            return LoRASettings(rank: loraR, alpha: loraAlpha, dropout: loraDropout, targets: targetList(family: family))
        }

        /// `lora_targets` as a list, or the family's default when it names none.
        public func targetList(family: ModelFamily) -> [String] {
            listedTargets.isEmpty ? LoRAProjection.defaultTargets(family) : listedTargets
        }

        /// The names `lora_targets` lists (none when empty).
        var listedTargets: [String] {
            loraTargets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        /// The labels as a list (empty when `labels` is empty).
        public var labelList: [String] {
            labels.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }

    /// The finetune section, or its defaults (state.json of older checkpoints has none).
    public var finetuneSection: FinetuneSection { finetune ?? FinetuneSection() }

    /// The LoRA settings of a fine-tune of this config's model, nil with `finetune.lora_r` 0.
    public var lora: LoRASettings? { finetuneSection.lora(family: model.family) }

    /// Writes the family's default targets into an empty `finetune.lora_targets` (once `model` is
    /// the model being fine-tuned), so the saved config names what was adapted and a resume,
    /// resolved the same way, compares equal.
    public mutating func resolveLoRATargets() {
        guard var f = finetune, f.loraR > 0, f.listedTargets.isEmpty else { return }
        f.loraTargets = LoRAProjection.defaultTargets(model.family).joined(separator: ",")
        finetune = f
    }
}

/// `finetune.task`: what a fine-tune learns, spelled in configs as its raw value.
public enum FinetuneTask: String, ConfigChoice, Sendable {
    public static let noun = "fine-tuning task"
    /// Instruction following: the loss on the response tokens.
    case instruct
    /// Classification: a linear head on the last token's features.
    case classify
}

/// Checks of the finetune section that `trainer finetune` needs (pre-training ignores it), made
/// once the model section is the pre-trained model's.
public enum FinetuneValidation {
    public static func check(_ c: TrainConfig) throws(ConfigError) {
        let f = c.finetuneSection
        guard !f.initFrom.isEmpty else {
            throw ConfigError("finetune.init_from", "is empty; name a pre-trained checkpoint (a step-NNNNNNN directory or a run directory such as checkpoints/gpt-small)")
        }
        guard !f.trainFile.isEmpty else { throw ConfigError("finetune.train_file", "is empty; name a JSONL file of training records") }
        guard !f.valFile.isEmpty else { throw ConfigError("finetune.val_file", "is empty; name a JSONL file of held-out records") }
        guard f.freezeLayers >= 0 else { throw ConfigError("finetune.freeze_layers", "must be 0 or more") }
        guard f.freezeLayers <= c.model.nLayer else {
            throw ConfigError("finetune.freeze_layers", "\(f.freezeLayers) is more than the model's \(c.model.nLayer) layers")
        }
        let labels = f.labelList
        guard Set(labels).count == labels.count else { throw ConfigError("finetune.labels", "\"\(f.labels)\" names a label twice") }
        guard labels.isEmpty || labels.count >= 2 else { throw ConfigError("finetune.labels", "needs at least two labels") }
        try LoRAValidation.check(c)
    }
}
