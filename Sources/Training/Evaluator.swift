import Collectives
import GPT

/// Mean validation loss over a fixed set of validation batches, shared across ranks.
///
/// Batch i covers validation samples i·B ..< (i+1)·B (wrapping around a small set), and rank r
/// evaluates batches r, r + world, …, so the result is the same at any world size.
public struct Evaluator {
    let model: GPTModel
    let loader: BatchLoader
    let batch: Int
    let batches: Int
    let comm: Communicator

    public init(model: GPTModel, loader: BatchLoader, batch: Int, batches: Int, comm: Communicator) {
        self.model = model
        self.loader = loader
        self.batch = batch
        self.batches = batches
        self.comm = comm
    }

    /// Sum of token losses and token count over this rank's share, reduced over all ranks.
    public func evaluate() throws(CollectiveError) -> (loss: Double, tokens: Int) {
        var sum = 0.0
        var count = 0
        let samples = max(1, loader.sampleCount)
        var i = comm.rank
        while i < batches {
            let first = i * batch
            loader.load(batch: batch) { (first + $0) % samples }
            let result = model.forward(inputs: UnsafeBufferPointer(loader.inputs), targets: UnsafeBufferPointer(loader.targets), batch: batch, sequence: loader.sequenceLength)
            sum += result.sum
            count += result.count
            i += comm.size
        }
        let total = try comm.sum([sum, Double(count)])
        return (total[0] / max(1, total[1]), Int(total[1]))
    }
}
