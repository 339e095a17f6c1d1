import Collectives
import GPT

/// Mean loss over a fixed set of batches of held-out samples, shared across ranks.
///
/// Batch i covers samples i·B ..< (i+1)·B (wrapping around a small set, or cut short at the end
/// of the set when every sample is evaluated once), and rank r evaluates batches r, r + world, …,
/// so the result is the same at any world size.
public struct Evaluator {
    let model: GPTModel
    let loader: BatchLoader
    let batch: Int
    let batches: Int
    let wholeSet: Bool
    let comm: Communicator
    /// Sums exactly (`distributed.exact`), so that the figures are the same bits at any rank count.
    let exact: Bool

    /// `batches` batches of `batch` samples; with `wholeSet`, every sample exactly once instead.
    public init(model: GPTModel, loader: BatchLoader, batch: Int, batches: Int, wholeSet: Bool = false, exact: Bool = false, comm: Communicator) {
        self.model = model
        self.loader = loader
        self.batch = batch
        self.wholeSet = wholeSet
        self.batches = wholeSet ? (loader.sampleCount + batch - 1) / batch : batches
        self.comm = comm
        self.exact = exact
    }

    /// The mean token loss, the token count and, when `tokenBytes` (bytes per token id) is given,
    /// the number of text bytes those tokens spell, all reduced over every rank.
    public func evaluate(tokenBytes: [Int]? = nil) throws(CollectiveError) -> (loss: Double, tokens: Int, bytes: Int) {
        var sums = EvaluationSums(count: 3, exact: exact)  // loss, tokens, bytes
        let samples = max(1, loader.sampleCount)
        var i = comm.rank
        while i < batches {
            let first = i * batch
            let size = wholeSet ? min(batch, samples - first) : batch
            loader.load(batch: size) { (first + $0) % samples }
            // Evaluation: no backward follows, so the head computes no gradient.
            let result = model.forward(inputs: UnsafeBufferPointer(loader.inputs), targets: UnsafeBufferPointer(loader.targets),
                                       batch: size, sequence: loader.sequenceLength, gradientScale: nil)
            sums.add(result.sum, at: 0)
            sums.add(Double(result.count), at: 1)
            if let tokenBytes {
                var bytes = 0
                for target in loader.targets.prefix(size * loader.sequenceLength) where target >= 0 { bytes += tokenBytes[Int(target)] }
                sums.add(Double(bytes), at: 2)
            }
            i += comm.size
        }
        let total = try sums.reduce(comm: comm)
        return (total[0] / max(1, total[1]), Int(total[1]), Int(total[2]))
    }
}
