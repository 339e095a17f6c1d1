import Checkpoints
import Foundation
import GPT
import RunConfig

/// `trainer export --merge-adapter ADAPTER --out DIR`: a base with its LoRA adapter merged in,
/// written as an ordinary checkpoint (model.safetensors, tokenizer, config files, the base's
/// state.json) that sample, eval, export and init_from read like any other.
public enum MergedCheckpoint {
    /// Writes `loaded` (whose model holds the merged weights) into the run directory `root`, at the base's step.
    public static func write(_ loaded: LoadedCheckpoint, to root: URL) throws -> CheckpointInfo {
        if let adapter = loaded.adapter, try PEFTAdapter.describe(adapter).taskType != "CAUSAL_LM" {
            throw TrainingError("\(adapter.path) is a classification adapter (SEQ_CLS); merging writes language models only; use trainer classify BASE --adapter \(adapter.path)")
        }
        guard var state = try JSONSerialization.jsonObject(with: loaded.info.state) as? [String: Any] else {
            throw TrainingError("\(loaded.info.directory.path): state.json is not a JSON object")
        }
        state["files"] = nil  // the store lists the new checkpoint's own files
        let files = ModelCheckpoint.writers(model: loaded.model, optimizer: nil, tokenizerDirectory: loaded.info.directory)
        return try CheckpointStore(root: root).save(step: loaded.state.step, files: files,
                                                    state: JSONSerialization.data(withJSONObject: state, options: [.sortedKeys]))
    }
}
