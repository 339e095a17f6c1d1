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
        var sum = 0.0, count = 0.0
        RecordBatch.forEachShare(of: records.val, batch: batch.rows, comm: comm) { indices in
            batch.load(records.val, indices)
            let result = model.forward(inputs: UnsafeBufferPointer(batch.inputs), targets: UnsafeBufferPointer(batch.targets),
                                       batch: indices.count, sequence: sequence, gradientScale: nil)
            sum += result.sum
            count += Double(result.count)
        }
        let totals = try comm.sum([sum, count, 0])
        return Evaluation(loss: totals[0] / max(1, totals[1]), count: Int(totals[1]), unit: .responseTokens)
    }
}
