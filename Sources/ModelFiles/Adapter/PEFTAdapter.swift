import Checkpoints
import Foundation
import GPT
import RunConfig

/// A LoRA adapter directory in Hugging Face PEFT's format: adapter_config.json and
/// adapter_model.safetensors (names `base_model.model.transformer.h.N.attn.c_attn.lora_A.weight`
/// for GPT-2, `base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight` for Llama, a
/// classifier's head as PEFT saves `modules_to_save` `score` in both), which
/// `PeftModel.from_pretrained(base, DIR)` loads; beside them, files of ours: the base's identity
/// (`lora_base.json`) and the adapter's AdamW moments (`adapter_optimizer.safetensors`).
public enum PEFTAdapter {
    public static let configFile = "adapter_config.json"
    public static let weightsFile = "adapter_model.safetensors"
    public static let optimizerFile = "adapter_optimizer.safetensors"
    /// Our file: which base the adapter was trained on (LoRABase).
    public static let baseFile = "lora_base.json"
    /// PEFT's prefix of every saved name (PeftModel → LoraModel → the transformers model).
    public static let prefix = "base_model.model."
    /// The classifier head's name in adapter_model.safetensors.
    public static let scoreName = prefix + "score.weight"

    /// What adapter_config.json says, as far as we use it.
    public struct Description: Sendable, Equatable {
        public var settings: LoRASettings
        /// CAUSAL_LM or SEQ_CLS.
        public var taskType: String
        /// Where the base model was (as the adapter's trainer named it).
        public var baseModel: String
    }

    /// Whether `directory` holds an adapter (adapter_config.json).
    public static func isAdapter(_ directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(configFile).path)
    }

    /// The writers of adapter_config.json and adapter_model.safetensors (and the head, for SEQ_CLS),
    /// and, with `optimizer`, the moments; `base` goes to lora_base.json.
    public static func writers(adapter: LoRAAdapter, optimizer: AdamW?, head: ClassifierHead?, base: LoRABase) -> [CheckpointFile] {
        let taskType = head == nil ? "CAUSAL_LM" : "SEQ_CLS"
        var files: [CheckpointFile] = [
            (configFile, { url in
                try configJSON(adapter.settings, family: adapter.family, taskType: taskType, baseModel: base.path).write(to: url)
            }),
            (weightsFile, { url in
                var list = tensors(adapter, adapter.values, prefix: prefix)
                if let head {
                    list.append(SafetensorsTensor(name: scoreName, dtype: .f32, shape: [head.classes, head.channels],
                                                  borrowing: UnsafeRawBufferPointer(UnsafeBufferPointer(head.weight))))
                }
                try Safetensors.write(tensors: list, metadata: ["format": "pt"], to: url)
            }),
            (baseFile, { url in try base.encoded().write(to: url) }),
        ]
        if let optimizer {
            files.append((optimizerFile, { url in
                let moments = tensors(adapter, optimizer.m, prefix: "exp_avg.") + tensors(adapter, optimizer.v, prefix: "exp_avg_sq.")
                try Safetensors.write(tensors: moments, metadata: ["optimizer": "AdamW"], to: url)
            }))
        }
        return files
    }

    /// PEFT's `fan_in_fan_out` for a `family` base: true where the adapted weights are stored
    /// (in, out), GPT-2's Conv1D; false for Llama's nn.Linear (out, in).
    static func fanInFanOut(_ family: ModelFamily) -> Bool { family == .gpt2 }

    /// adapter_config.json as PEFT 0.21 writes it for a LoRA on a `family` model (every key
    /// LoraConfig has, at its default unless ours differs; fan_in_fan_out true only for GPT-2's
    /// Conv1D), sorted and indented.
    public static func configJSON(_ s: LoRASettings, family: ModelFamily, taskType: String, baseModel: String) throws -> Data {
        let null = NSNull()
        let object: [String: Any] = [
            "alpha_pattern": [String: Any](), "auto_mapping": null, "base_model_name_or_path": baseModel, "bias": "none",
            "exclude_modules": null, "fan_in_fan_out": fanInFanOut(family), "inference_mode": true, "init_lora_weights": true,
            "layer_replication": null, "layers_pattern": null, "layers_to_transform": null, "loftq_config": [String: Any](),
            "lora_alpha": s.alpha, "lora_bias": false, "lora_dropout": s.dropout, "megatron_config": null,
            "megatron_core": "megatron.core", "modules_to_save": taskType == "SEQ_CLS" ? ["score"] as Any : null,
            "peft_type": "LORA", "r": s.rank, "rank_pattern": [String: Any](), "revision": null,
            "target_modules": s.targets, "task_type": taskType, "use_dora": false, "use_rslora": false,
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// Reads adapter_config.json of `directory` for a base of `family`; refuses what our LoRA
    /// does not compute (DoRA, rsLoRA, biases, per-layer ranks, a fan_in_fan_out that is not the
    /// family's, targets that name no projection of the family).
    public static func describe(_ directory: URL, family: ModelFamily) throws -> Description {
        let path = directory.appendingPathComponent(configFile).path
        guard let bytes = FileManager.default.contents(atPath: path),
              let json = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else {
            throw TrainingError("\(path): missing or not a JSON object; an adapter directory holds PEFT's adapter_config.json")
        }
        let name = LoRAProjection.familyName(family), fanInFanOut = Self.fanInFanOut(family)
        func fail(_ what: String) -> TrainingError {
            TrainingError("\(path): \(what); only plain \(name) LoRA adapters (peft_type LORA, fan_in_fan_out \(fanInFanOut)) are supported on this \(family.rawValue) base")
        }
        guard json["peft_type"] as? String == "LORA" else { throw fail("peft_type is \(json["peft_type"] ?? "missing"), not LORA") }
        guard let r = json["r"] as? Int, r > 0, let alpha = (json["lora_alpha"] as? NSNumber)?.doubleValue, alpha > 0 else {
            throw fail("r and lora_alpha must be positive numbers")
        }
        let targets = (json["target_modules"] as? [String]) ?? ((json["target_modules"] as? String).map { [$0] } ?? [])
        let settings = LoRASettings(rank: r, alpha: alpha, dropout: (json["lora_dropout"] as? NSNumber)?.doubleValue ?? 0, targets: targets)
        guard !targets.isEmpty, settings.unknownTargets(family).isEmpty else {
            throw fail("target_modules \(targets) must be some of \(LoRAProjection.targetNames(family).joined(separator: ", "))")
        }
        guard (json["fan_in_fan_out"] as? Bool ?? false) == fanInFanOut else {
            throw fail("fan_in_fan_out is not \(fanInFanOut) (\(fanInFanOut ? "GPT-2's Conv1D weights are (in, out)" : "Llama's nn.Linear weights are (out, in)"))")
        }
        for key in ["use_dora", "use_rslora"] where json[key] as? Bool == true { throw fail("\(key) is true") }
        guard (json["bias"] as? String ?? "none") == "none" else { throw fail("bias is \(json["bias"]!), not none") }
        for key in ["rank_pattern", "alpha_pattern"] where !((json[key] as? [String: Any])?.isEmpty ?? true) { throw fail("\(key) is set") }
        return Description(settings: settings,
                           taskType: json["task_type"] as? String ?? "CAUSAL_LM", baseModel: json["base_model_name_or_path"] as? String ?? "")
    }

    /// Loads A and B (and, given them, the moments and the head) from `directory`, every tensor
    /// checked by name and shape.
    public static func load(from directory: URL, into adapter: LoRAAdapter, optimizer: AdamW?, head: ClassifierHead?) throws {
        let weights = try SafetensorsFile(url: directory.appendingPathComponent(weightsFile))
        for t in adapter.tensors {
            try weights.copyFloats(named: prefix + t.name, shape: t.shape, into: UnsafeMutableBufferPointer(rebasing: adapter.values[t.range]))
        }
        if let head { try weights.copyFloats(named: scoreName, shape: [head.classes, head.channels], into: head.weight) }
        guard let optimizer else { return }
        let moments = try SafetensorsFile(url: directory.appendingPathComponent(optimizerFile))
        for t in adapter.tensors {
            try moments.copyFloats(named: "exp_avg." + t.name, shape: t.shape, into: UnsafeMutableBufferPointer(rebasing: optimizer.m[t.range]))
            try moments.copyFloats(named: "exp_avg_sq." + t.name, shape: t.shape, into: UnsafeMutableBufferPointer(rebasing: optimizer.v[t.range]))
        }
    }

    private static func tensors(_ adapter: LoRAAdapter, _ buffer: UnsafeMutableBufferPointer<Float>, prefix: String) -> [SafetensorsTensor] {
        adapter.tensors.map { t in
            SafetensorsTensor(name: prefix + t.name, dtype: .f32, shape: t.shape,
                              borrowing: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[t.range])))
        }
    }
}
