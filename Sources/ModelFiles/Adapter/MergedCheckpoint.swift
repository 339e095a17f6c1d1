import Checkpoints
import Foundation
import GPT
import RunConfig

/// `trainer export --merge-adapter ADAPTER --out DIR`: a base with its LoRA adapter merged in,
/// written as an ordinary checkpoint (model.safetensors, tokenizer, config files, a state.json)
/// that sample, eval, classify, export and init_from read like any other. A language-model
/// adapter keeps the base's state; a classification (SEQ_CLS) adapter becomes a classification
/// fine-tune's checkpoint: its head (`score.weight`) and labels, and the fine-tune's state.
public enum MergedCheckpoint {
    /// Writes `loaded` (whose model holds the merged weights) into the run directory `root`.
    public static func write(_ loaded: LoadedCheckpoint, to root: URL) throws -> CheckpointInfo {
        var stateBytes = loaded.info.state, step = loaded.state.step
        var classifier: (head: ClassifierHead, labels: [String])? = nil
        if let adapter = loaded.adapter, try PEFTAdapter.describe(adapter, family: loaded.model.config.family).taskType == "SEQ_CLS" {
            let statePath = adapter.appendingPathComponent(CheckpointStore.stateFileName)
            guard let bytes = FileManager.default.contents(atPath: statePath.path) else {
                throw TrainingError("\(adapter.path) is a classification adapter without a state.json of ours, so its labels are unknown; merge a checkpoint of `trainer finetune` with finetune.lora_r > 0, or classify with trainer classify BASE --adapter \(adapter.path)")
            }
            let state = try TrainingState.read(bytes, path: statePath.path)
            guard let found = try ClassifierCheckpoint.labeledHead(from: adapter, state: state, channels: loaded.model.config.nEmbd) else {
                throw TrainingError("\(statePath.path) is not a classification fine-tune's state (finetune.task classify with its labels)")
            }
            (stateBytes, step, classifier) = (bytes, state.step, found)
        }
        guard var state = try JSONSerialization.jsonObject(with: stateBytes) as? [String: Any] else {
            throw TrainingError("\(loaded.info.directory.path): state.json is not a JSON object")
        }
        state["files"] = nil  // the store lists the new checkpoint's own files
        if var config = state["config"] as? [String: Any], var finetune = config["finetune"] as? [String: Any] {
            finetune["lora_r"] = 0  // the weights are whole now: nothing to load on top
            config["finetune"] = finetune
            state["config"] = config
        }
        let files = ModelCheckpoint.writers(model: loaded.model, optimizer: nil, tokenizerDirectory: loaded.info.directory, classifier: classifier)
        return try CheckpointStore(root: root).save(step: step, files: files,
                                                    state: JSONSerialization.data(withJSONObject: state, options: [.sortedKeys]))
    }
}
