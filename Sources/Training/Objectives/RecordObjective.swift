import Foundation
import ModelFiles
import RunConfig

/// What the two fine-tuning objectives share: one record per row of block_size tokens, drawn
/// from the training records by the sample order; held-out figures over every validation record.
struct RecordSet {
    let train: FinetuneExamples
    let val: FinetuneExamples
    /// The rows of one micro-batch.
    let batch: RecordBatch
    let frozenLayers: Int
    let dataHash: String
    /// Evaluation sums are exact (`distributed.exact`).
    let exact: Bool

    init(setup: FinetuneSetup, plan: BatchPlan) {
        train = setup.train
        val = setup.val
        batch = RecordBatch(rows: plan.microBatch, sequence: setup.train.sequence)
        frozenLayers = setup.config.finetuneSection.freezeLayers
        exact = setup.config.distributed.exact
        dataHash = FileDigest.sha256(URL(fileURLWithPath: setup.config.finetuneSection.trainFile))
    }
}

/// A fine-tuning objective: its `TrainingObjective` answers that depend only on the records.
protocol RecordObjective: TrainingObjective {
    var records: RecordSet { get }
}

extension RecordObjective {
    var sequence: Int { records.batch.sequence }
    var sampleCount: Int { records.train.count }
    var frozenLayers: Int { records.frozenLayers }
    var dataHash: String { records.dataHash }
    var evaluatesBeforeTraining: Bool { true }

    /// The records' loss terms: response tokens (instruct) or one label each (classify).
    func lossCount(of samples: [Int]) -> Int { samples.reduce(0) { $0 + records.train.targetCounts[$1] } }
}
