import Checkpoints
import Foundation
import GPT


/// The classification head's optimizer file in a checkpoint directory; the head itself,
/// `score.weight`, is in model.safetensors as transformers' GPT2ForSequenceClassification has it.
public enum ClassifierCheckpoint {
    /// AdamW moments of the head.
    public static let optimizerFile = "classifier_optimizer.safetensors"

    /// The writer of the head's moments, for `CheckpointStore.save`.
    public static func writers(head: ClassifierHead, optimizer: AdamW) -> [CheckpointFile] {
        let shape = [head.classes, head.channels]
        func tensor(_ name: String, _ b: UnsafeMutableBufferPointer<Float>) -> SafetensorsTensor {
            SafetensorsTensor(name: name, dtype: .f32, shape: shape, borrowing: UnsafeRawBufferPointer(UnsafeBufferPointer(b)))
        }
        return [
            (optimizerFile, { url in try Safetensors.write(tensors: [tensor("exp_avg.score.weight", optimizer.m), tensor("exp_avg_sq.score.weight", optimizer.v)], metadata: ["optimizer": "AdamW"], to: url) }),
        ]
    }

    /// Loads `score.weight` (and, given the head's optimizer, its moments) from a checkpoint directory.
    public static func load(from directory: URL, into head: ClassifierHead, optimizer: AdamW?) throws {
        let shape = [head.classes, head.channels]
        try ModelCheckpoint.loadClassifier(from: directory, into: head)
        guard let optimizer else { return }
        let moments = try SafetensorsFile(url: directory.appendingPathComponent(optimizerFile))
        try moments.copyFloats(named: "exp_avg.score.weight", shape: shape, into: optimizer.m)
        try moments.copyFloats(named: "exp_avg_sq.score.weight", shape: shape, into: optimizer.v)
    }

    /// The head and labels of a classification fine-tune whose state is `state`, read from
    /// `directory` (its checkpoint, or a LoRA classifier's adapter); nil when `state` is not one.
    public static func labeledHead(from directory: URL, state: TrainingState, channels: Int) throws -> (head: ClassifierHead, labels: [String])? {
        let f = state.config.finetuneSection, labels = f.labelList
        guard f.task == .classify, labels.count >= 2 else { return nil }
        let head = ClassifierHead(classes: labels.count, channels: channels)
        try load(from: directory, into: head, optimizer: nil)
        return (head, labels)
    }
}
