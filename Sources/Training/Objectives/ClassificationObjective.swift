import Collectives
import Data
import Foundation
import GPT
import ModelFiles
import RunConfig

/// Classification fine-tuning: a linear head (`score.weight`, classes × n_embd) reads the final
/// LayerNorm's output at each record's last token; the loss is the cross-entropy of the label.
/// Evaluation reports loss, accuracy and a confusion table over every validation record.
final class ClassificationObjective: RecordObjective {
    let name = "classify"
    let records: RecordSet
    /// Class names in class order.
    let labels: [String]
    /// The head and its AdamW moments.
    let head: ClassifierHead
    let headOptimizer: AdamW
    private var batch: RecordBatch { records.batch }
    private let dFeatures: UnsafeMutableBufferPointer<Float>
    // What `forward` leaves for `backward`.
    private var features = UnsafeBufferPointer<Float>(start: nil, count: 0)
    private var rows: [Int] = []
    private var rowLabels: [Int] = []

    /// Trains a new head for `setup.labels` on `setup`'s records, micro-batches of `plan.microBatch`.
    init(setup: FinetuneSetup, plan: BatchPlan) {
        let config = setup.config, t = config.training
        records = RecordSet(setup: setup, plan: plan)
        labels = setup.labels
        head = ClassifierHead(classes: labels.count, channels: config.model.nEmbd)
        let count = labels.count * config.model.nEmbd
        headOptimizer = AdamW(tensors: [(0..<count, true)], count: count, beta1: Float(t.beta1), beta2: Float(t.beta2),
                              weightDecay: Float(t.weightDecay))
        dFeatures = .allocate(capacity: plan.microBatch * setup.train.sequence * config.model.nEmbd)
        dFeatures.initialize(repeating: 0)
    }

    deinit { dFeatures.deallocate() }

    var extraParameters: ExtraParameters? {
        ExtraParameters(values: head.weight, gradients: head.gradient, optimizer: headOptimizer)
    }

    func forward(model: GPTModel, samples: [Int]) -> Double {
        let train = records.train
        batch.load(train, samples)
        features = model.forwardFeatures(inputs: UnsafeBufferPointer(batch.inputs), batch: samples.count, sequence: sequence)
        rows = samples.enumerated().map { $0.offset * sequence + train.last[$0.element] }
        rowLabels = samples.map { train.labels[$0] }
        return head.forward(features: features, rows: rows, labels: rowLabels)
    }

    func backward(model: GPTModel, lossScale: Float, onFinalGradients: ((Range<Int>) -> Void)?) {
        dFeatures.update(repeating: 0)
        head.backward(features: features, rows: rows, labels: rowLabels, scale: lossScale, dFeatures: dFeatures)
        model.backwardFromFeatures(UnsafeBufferPointer(dFeatures), onFinalGradients: onFinalGradients)
    }

    func evaluate(model: GPTModel, comm: Communicator) throws -> Evaluation {
        let K = labels.count, T = sequence
        var sums = EvaluationSums(count: 3 + K * K, exact: records.exact)  // loss, records, correct, confusion
        let val = records.val
        RecordBatch.forEachShare(of: val, batch: batch.rows, comm: comm) { indices in
            batch.load(val, indices)
            let features = model.forwardFeatures(inputs: UnsafeBufferPointer(batch.inputs), batch: indices.count, sequence: T)
            let rows = indices.enumerated().map { $0.offset * T + val.last[$0.element] }
            let truth = indices.map { val.labels[$0] }
            sums.add(head.forward(features: features, rows: rows, labels: truth), at: 0)
            sums.add(Double(indices.count), at: 1)
            for (j, label) in truth.enumerated() {
                let p = head.probabilities[(j * K)..<((j + 1) * K)]
                let predicted = p.indices.max { p[$0] < p[$1] }! - j * K
                sums.add(1, at: 3 + label * K + predicted)
                if predicted == label { sums.add(1, at: 2) }
            }
        }
        let totals = try sums.reduce(comm: comm)
        return Evaluation(loss: totals[0] / max(1, totals[1]), count: Int(totals[1]), unit: .records,
                          accuracy: totals[2] / max(1, totals[1]), confusion: totals[3...].map { Int($0) }, labels: labels)
    }

    func initializeExtraParameters(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        head.initialize(using: &rng)
    }

    var classificationHead: (head: ClassifierHead, labels: [String])? { (head, labels) }

    func checkpointFiles() -> [CheckpointFile] {
        ClassifierCheckpoint.writers(head: head, optimizer: headOptimizer)
    }

    func loadCheckpointFiles(from directory: URL) throws {
        try ClassifierCheckpoint.load(from: directory, into: head, optimizer: headOptimizer)
    }

    func finalReport(step: Int, last: Evaluation?) -> String? {
        guard let last, last.accuracy != nil else { return nil }
        return "confusion (rows: true label, columns: predicted), step \(step):\n" + last.confusionTable()
    }
}
