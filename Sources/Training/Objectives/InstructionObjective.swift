import Collectives
import Foundation
import GPT
import RunConfig

/// Instruction fine-tuning: each record is one row (template prompt, response, <|endoftext|>,
/// padding) whose loss covers only the response; evaluation is the mean loss per response token
/// over every validation record.
final class InstructionObjective: RecordObjective {
    let name = "instruct"
    let records: RecordSet
    private var batch: RecordBatch { records.batch }

    /// Trains on `setup`'s records in micro-batches of `plan.microBatch` records.
    init(setup: FinetuneSetup, plan: BatchPlan) {
        records = RecordSet(setup: setup, plan: plan)
    }

    func forward(model: GPTModel, samples: [Int]) -> Double {
        batch.load(records.train, samples)
        return model.forward(inputs: UnsafeBufferPointer(batch.inputs), targets: UnsafeBufferPointer(batch.targets),
                             batch: samples.count, sequence: sequence).sum
    }

    func backward(model: GPTModel, lossScale: Float, onFinalGradients: ((Range<Int>) -> Void)?) {
        model.backward(lossScale: lossScale, onFinalGradients: onFinalGradients)
    }

    func evaluate(model: GPTModel, comm: Communicator) throws -> Evaluation {
        var sums = EvaluationSums(count: 2, exact: records.exact)  // loss, response tokens
        RecordBatch.forEachShare(of: records.val, batch: batch.rows, comm: comm) { indices in
            batch.load(records.val, indices)
            let result = model.forward(inputs: UnsafeBufferPointer(batch.inputs), targets: UnsafeBufferPointer(batch.targets),
                                       batch: indices.count, sequence: sequence, gradientScale: nil)
            sums.add(result.sum, at: 0)
            sums.add(Double(result.count), at: 1)
        }
        let totals = try sums.reduce(comm: comm)
        return Evaluation(loss: totals[0] / max(1, totals[1]), count: Int(totals[1]), unit: .responseTokens)
    }
}
