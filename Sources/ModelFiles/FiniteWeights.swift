import GPT
import RunConfig

/// Refuses weights holding NaN or infinity: evaluating or sampling them prints "loss nan" or
/// gibberish and exits 0, hiding that the checkpoint is unusable (issue 28, item 9).
enum FiniteWeights {
    /// Throws naming the first tensor of `model` with a non-finite value.
    static func check(_ model: GPTModel, checkpoint: String) throws {
        for tensor in model.layout.tensors {
            let values = UnsafeBufferPointer(rebasing: model.parameters[tensor.offset..<(tensor.offset + tensor.count)])
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw TrainingError("\(checkpoint): tensor \(tensor.name) holds \(values[bad]) at index \(bad - values.startIndex); the weights are unusable (a run that diverged?); use an earlier checkpoint")
            }
        }
    }
}
