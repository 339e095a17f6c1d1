import Checkpoints
import Foundation
import GPT

/// The classification head's files in a checkpoint directory.
public enum ClassifierCheckpoint {
    /// `score.weight` (classes, C), as Hugging Face's GPT2ForSequenceClassification names it;
    /// metadata "labels" holds the class names in order, comma-separated.
    public static let headFile = "classifier.safetensors"
    /// AdamW moments of the head.
    public static let optimizerFile = "classifier_optimizer.safetensors"

    /// The writers of both files, for `CheckpointStore.save`.
    static func writers(head: ClassifierHead, optimizer: AdamW, labels: [String]) -> [CheckpointFile] {
        let shape = [head.classes, head.channels]
        func tensor(_ name: String, _ b: UnsafeMutableBufferPointer<Float>) -> SafetensorsTensor {
            SafetensorsTensor(name: name, dtype: .f32, shape: shape, borrowing: UnsafeRawBufferPointer(UnsafeBufferPointer(b)))
        }
        return [
            (headFile, { url in try Safetensors.write(tensors: [tensor("score.weight", head.weight)], metadata: ["format": "pt", "labels": labels.joined(separator: ",")], to: url) }),
            (optimizerFile, { url in try Safetensors.write(tensors: [tensor("exp_avg.score.weight", optimizer.m), tensor("exp_avg_sq.score.weight", optimizer.v)], metadata: ["optimizer": "AdamW"], to: url) }),
        ]
    }

    /// Loads `score.weight` (and, given the head's optimizer, its moments) from a checkpoint directory.
    public static func load(from directory: URL, into head: ClassifierHead, optimizer: AdamW?) throws {
        let shape = [head.classes, head.channels]
        let file = try SafetensorsFile(url: directory.appendingPathComponent(headFile))
        try file.copyFloats(named: "score.weight", shape: shape, into: head.weight)
        guard let optimizer else { return }
        let moments = try SafetensorsFile(url: directory.appendingPathComponent(optimizerFile))
        try moments.copyFloats(named: "exp_avg.score.weight", shape: shape, into: optimizer.m)
        try moments.copyFloats(named: "exp_avg_sq.score.weight", shape: shape, into: optimizer.v)
    }
}
