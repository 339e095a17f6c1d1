import Collectives

/// The token rows of one micro-batch of fine-tuning records, shared by the instruction and
/// classification objectives: one record fills one row of `sequence` tokens.
final class RecordBatch {
    let rows: Int
    let sequence: Int
    let inputs: UnsafeMutableBufferPointer<Int32>
    let targets: UnsafeMutableBufferPointer<Int32>

    init(rows: Int, sequence: Int) {
        self.rows = rows
        self.sequence = sequence
        inputs = .allocate(capacity: rows * sequence)
        targets = .allocate(capacity: rows * sequence)
    }

    deinit {
        inputs.deallocate()
        targets.deallocate()
    }

    /// Fills the first `indices.count` rows with those records (targets -1 where there are none).
    func load(_ examples: FinetuneExamples, _ indices: [Int]) {
        let T = sequence
        for (j, r) in indices.enumerated() {
            for i in 0..<T {
                inputs[j * T + i] = examples.inputs[r * T + i]
                targets[j * T + i] = examples.targets.isEmpty ? -1 : examples.targets[r * T + i]
            }
        }
    }

    /// Calls `body` with each validation micro-batch's record indices that this rank evaluates
    /// (micro-batch i on rank i mod world size), so that sums reduced over ranks are the same at
    /// any rank count.
    static func forEachShare(of examples: FinetuneExamples, batch B: Int, comm: Communicator, _ body: ([Int]) -> Void) {
        let batches = (examples.count + B - 1) / B
        var i = comm.rank
        while i < batches {
            body(Array((i * B)..<min(examples.count, (i + 1) * B)))
            i += comm.size
        }
    }
}
