import Checkpoints
import Foundation
import GPT
import RunConfig

/// Applies a LoRA adapter onto loaded base weights for inference (`--adapter`): (alpha/r)·BA added
/// into every adapted weight (transposed into GPT-2's Conv1D, as is into Llama's nn.Linear), which
/// is what PeftModel computes without dropout, and what
/// every inference path (the cached decoder too) then runs as an ordinary model.
public enum AdapterMerge {
    /// The adapter directory `path` names: an adapter (adapter_config.json) or a run directory of
    /// a LoRA fine-tune (its newest valid checkpoint).
    public static func resolve(_ path: String, warn: (String) -> Void) throws -> URL {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        if PEFTAdapter.isAdapter(url) { return url }
        let info = try? CheckpointStore.resolve(path: url, warn: warn)
        guard let info, PEFTAdapter.isAdapter(info.directory) else {
            throw TrainingError("--adapter \(path): no \(PEFTAdapter.configFile) there; name a checkpoint of a LoRA fine-tune (finetune.lora_r > 0) or a PEFT adapter directory")
        }
        return info.directory
    }

    /// Merges the adapter in `directory` into `model`, whose weights came from `base`; refuses an
    /// adapter whose lora_base.json names other weights (a PEFT-written adapter has none: warned).
    public static func merge(_ directory: URL, into model: GPTModel, base: URL, warn: (String) -> Void) throws {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent(PEFTAdapter.baseFile).path) {
            try LoRABase.read(directory).check(against: base, adapter: directory)
        } else {
            warn("\(directory.path) has no \(PEFTAdapter.baseFile) (not trained here), so its base cannot be checked; applying it to \(base.path)")
        }
        let description = try PEFTAdapter.describe(directory, family: model.config.family)
        let adapter = LoRAAdapter(settings: description.settings, config: model.config, maxRows: 1)
        try PEFTAdapter.load(from: directory, into: adapter, optimizer: nil, head: nil)
        adapter.merge(into: model.parameters, layout: model.layout)
    }
}
