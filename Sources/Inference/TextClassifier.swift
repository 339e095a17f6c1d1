import Foundation
import GPT
import ModelFiles
import RunConfig

/// `trainer classify`: a classification fine-tune's model and head, reading a text as training did.
public final class TextClassifier {
    /// Class names in class order.
    public let labels: [String]
    private let loaded: LoadedCheckpoint
    private let head: ClassifierHead

    /// Opens `checkpoint` (a step or run directory) of `trainer finetune` with task classify.
    /// With `adapter` (a LoRA classification fine-tune of this checkpoint), the labels and the head
    /// come from the adapter's checkpoint and its weights are merged in.
    public init(checkpoint: String, adapter: String? = nil, warn: (String) -> Void) throws {
        loaded = try LoadedCheckpoint(path: checkpoint, batch: 1, warn: warn, adapter: adapter)
        let source = loaded.adapter ?? loaded.info.directory
        let state = loaded.adapter == nil ? loaded.state
            : try TrainingState.read(Data(contentsOf: source.appendingPathComponent("state.json")), path: source.appendingPathComponent("state.json").path)
        guard ModelCheckpoint.hasClassifier(in: source) || loaded.adapter != nil,
              let found = try ClassifierCheckpoint.labeledHead(from: source, state: state, channels: loaded.model.config.nEmbd) else {
            throw TrainingError("\(loaded.info.directory.path) is not a classification fine-tune (no score.weight in \(ModelCheckpoint.modelFile)); use a checkpoint of `trainer finetune` with finetune.task \"classify\"")
        }
        (head, labels) = found
    }

    /// The class probabilities of `text`: its tokens then <|endoftext|>, the last block_size of
    /// them, features at the last one.
    public func probabilities(of text: String) -> [Float] {
        let model = loaded.model
        let tokens = Array((loaded.tokenizer.encode(text) + [loaded.tokenizer.endOfText]).suffix(model.config.blockSize))
        let features = tokens.withUnsafeBufferPointer { model.forwardFeatures(inputs: $0, batch: 1, sequence: tokens.count) }
        head.forward(features: features, rows: [tokens.count - 1], labels: [-1])
        return head.probabilities
    }
}
