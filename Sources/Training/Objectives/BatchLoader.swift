import Data

/// Fills a micro-batch's input and target tokens from the training stream or the validation set.
public final class BatchLoader {
    private let dataset: TokenDataset
    /// Tokens per sample (T).
    public let sequenceLength: Int
    /// Windows of T+1 tokens available in the dataset.
    public let sampleCount: Int
    /// Inputs (B, T), row-major.
    public let inputs: UnsafeMutableBufferPointer<Int32>
    /// Next-token targets (B, T), row-major.
    public let targets: UnsafeMutableBufferPointer<Int32>

    public init(dataset: TokenDataset, sequence: Int, maxBatch: Int) {
        self.dataset = dataset
        self.sequenceLength = sequence
        self.sampleCount = max(0, (dataset.count - 1) / sequence)
        inputs = .allocate(capacity: maxBatch * sequence)
        targets = .allocate(capacity: maxBatch * sequence)
    }

    deinit {
        inputs.deallocate()
        targets.deallocate()
    }

    /// Loads the `batch` samples whose indices `sampleIndex(j)` gives, j = 0 ..< batch.
    public func load(batch: Int, sampleIndex: (Int) -> Int) {
        let T = sequenceLength
        for j in 0..<batch {
            let start = sampleIndex(j) * T
            dataset.copy(from: start, count: T, into: inputs.baseAddress! + j * T)
            dataset.copy(from: start + 1, count: T, into: targets.baseAddress! + j * T)
        }
    }
}
