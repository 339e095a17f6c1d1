import Checkpoints
import Data
import Foundation
import GPT
import ModelFiles
import RunConfig

// LoRA fine-tuning (finetune.lora_r > 0): the model's base is frozen and has no gradient buffer;
// the adapter's values and gradients take the place of the model's in the gradient sync, the
// clipping, AdamW (whose moments cover the adapter only) and the checkpoint, which holds the
// adapter in PEFT's format instead of a full model.safetensors.

extension Trainer {
    /// The adapter of a LoRA fine-tune of `config`, nil for pre-training and full fine-tunes.
    static func makeAdapter(config: TrainConfig, objective: TrainingObjective, plan: BatchPlan) -> LoRAAdapter? {
        guard !(objective is LanguageModelObjective), let lora = config.lora else { return nil }
        return LoRAAdapter(settings: lora, config: config.model, maxRows: plan.microBatch * objective.sequence)
    }

    /// AdamW over the adapter's tensors (all 2-D, all decayed as the GPT's matrices are).
    static func adapterOptimizer(_ adapter: LoRAAdapter, _ t: TrainConfig.TrainingSection) -> AdamW {
        AdamW(tensors: adapter.tensors.map { ($0.range, true) }, count: adapter.values.count,
              beta1: Float(t.beta1), beta2: Float(t.beta2), weightDecay: Float(t.weightDecay))
    }

    /// The parameters AdamW updates: the adapter's under LoRA, else the model's.
    var trainedValues: UnsafeMutableBufferPointer<Float> { model.lora?.values ?? model.parameters }
    /// Their gradients.
    var trainedGradients: UnsafeMutableBufferPointer<Float> { model.lora?.gradients ?? model.gradients }

    /// Rank 0, fresh runs: A from the training seed (Kaiming-uniform as PEFT's), B zero.
    func initializeAdapter() {
        guard let lora = model.lora else { return }
        var rng = SplitMix64(seed: UInt64(config.training.seed) ^ 0x4C6F_5241_4164_6170)  // "LoRAAdap": not the base's stream
        lora.initialize(using: &rng)
    }

    /// Dropout on for the micro-batch whose first row is stream position `first`, or off (nil).
    func setAdapterDropout(first: Int?) {
        guard let lora = model.lora else { return }
        lora.dropoutKey = first.map { first in
            LoRADropoutKey(seed: UInt64(config.training.seed), step: step, positions: (0..<plan.microBatch).map { first + $0 })
        }
    }

    /// The identity of the base (hashed once, on rank 0).
    func adapterBase() throws -> LoRABase {
        if let baseIdentity { return baseIdentity }
        guard let baseWeights else { throw TrainingError("a LoRA run needs its base model (finetune.init_from) to save") }
        let identity = LoRABase(directory: baseWeights.directory)
        baseIdentity = identity
        return identity
    }

    /// A LoRA checkpoint's files: the PEFT adapter (with a classifier's head), our base identity
    /// and moments, the tokenizer; no model.safetensors (the base is init_from's, unchanged).
    func adapterCheckpointFiles(_ adapter: LoRAAdapter) throws -> [CheckpointFile] {
        var files = PEFTAdapter.writers(adapter: adapter, optimizer: optimizer, head: objective.classificationHead?.head, base: try adapterBase())
        for name in [BPETokenizer.vocabFileName, BPETokenizer.mergesFileName] {
            files.append((name, { url in try FileManager.default.copyItem(at: self.tokenizerDirectory.appendingPathComponent(name), to: url) }))
        }
        return files
    }

    /// Rank 0, resume: the base from init_from (refused unless it is the adapter's base), then
    /// the adapter and its moments from the checkpoint.
    func loadAdapterCheckpoint(_ adapter: LoRAAdapter, from directory: URL) throws {
        guard let baseWeights else { throw TrainingError("a LoRA run needs its base model (finetune.init_from) to resume") }
        let saved = try LoRABase.read(directory)
        try saved.check(against: baseWeights.directory, adapter: directory)
        baseIdentity = saved
        try baseWeights.load(into: model)
        try PEFTAdapter.load(from: directory, into: adapter, optimizer: optimizer, head: nil)
    }
}
