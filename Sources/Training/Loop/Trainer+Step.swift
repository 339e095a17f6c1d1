import Collectives
import GPT

extension Trainer {
    /// One optimizer step: forward/backward over this rank's slice of the global batch, gradient
    /// sum across ranks, one clipping call, the optimizer step on every trainable parameter.
    public func trainStep(learningRate: Double) throws -> StepRecord {
        var times = StepTimings()
        let startedAt = monotonicSeconds()
        model.zeroGradients()
        model.lora?.gradients.update(repeating: 0)
        extra?.gradients.update(repeating: 0)
        sync.beginStep()
        // Every rank knows the whole global batch, so each scales by the same total loss count.
        let S = plan.sequencesPerStep
        let count = objective.lossCount(of: (0..<S).map { order.sample(atStreamPosition: step * S + $0) })
        let scale = Float(1.0 / Double(max(1, count)))
        watchdog?.enter("forward/backward", step: step, collective: false)
        faults.stepStarts(step)
        for micro in 0..<plan.accumulationSteps {
            let first = plan.firstPosition(step: step, rank: comm.rank, micro: micro)
            let samples = (0..<plan.microBatch).map { order.sample(atStreamPosition: first + $0) }
            setAdapterDropout(first: first)
            let forwardAt = monotonicSeconds()
            let sum = objective.forward(model: model, samples: samples)
            let backwardAt = monotonicSeconds()
            times.forward += backwardAt - forwardAt
            let last = micro == plan.accumulationSteps - 1
            try sync.endMicroBatch(loss: sum, reportedRanges: try backward(last: last, lossScale: scale), last: last)
            times.backward += monotonicSeconds() - backwardAt
        }
        setAdapterDropout(first: nil)
        faults.gradientsFinished(trainedGradients.indices, of: trainedGradients)
        watchdog?.enter("gradient all-reduce", step: step, collective: true)
        let totals = try sync.finish()
        times.allReduceExposed = sync.exposedSeconds
        times.allReduceTotal = sync.totalSeconds
        times.exactEncode = sync.encodeSeconds
        times.exactDecode = sync.decodeSeconds
        times.allReduceInBackward = sync.inBackwardSeconds
        let loss = totals.lossSum / Double(max(1, count))
        if !frozen.isEmpty { model.gradients[frozen].update(repeating: 0) }
        let clipAt = monotonicSeconds()
        let clip = try clipGradients()
        times.clipping = monotonicSeconds() - clipAt
        let skipped = totals.nonFinite > 0 || !loss.isFinite || !clip.norm.isFinite
        let optimizerAt = monotonicSeconds()
        if !skipped { try optimizerStep(learningRate: learningRate) }
        step += 1
        tokensSeen += plan.tokensPerStep
        let finishedAt = monotonicSeconds()
        times.optimizer = finishedAt - optimizerAt
        times.total = finishedAt - startedAt
        timings = times
        trainingSeconds += times.total
        return StepRecord(
            step: step - 1, loss: loss, lr: learningRate, gradNorm: Double(clip.norm), tokens: tokensSeen,
            skipped: skipped, milliseconds: times.total * 1000, tokensPerSecond: Double(plan.tokensPerStep) / times.total,
            allReduceMilliseconds: sync.exposedSeconds * 1000)
    }

    /// The objective's backward pass; where the sync asks for them, each range of gradients that
    /// becomes final goes to it at once (a bucket's all-reduce starts while backward goes on).
    /// Returns whether backward reported ranges.
    private func backward(last: Bool, lossScale: Float) throws(CollectiveError) -> Bool {
        guard sync.wantsRanges(last: last) else {
            objective.backward(model: model, lossScale: lossScale, onFinalGradients: nil)
            return false
        }
        if model.lora != nil {  // the adapter's gradients are final only when backward ends
            objective.backward(model: model, lossScale: lossScale, onFinalGradients: nil)
            faults.gradientsFinished(trainedGradients.indices, of: trainedGradients)
            try sync.gradientsFinal(trainedGradients.startIndex..<trainedGradients.endIndex, last: last)
            return true
        }
        var failure: CollectiveError? = nil
        var reported = false
        objective.backward(model: model, lossScale: lossScale) { range in
            reported = true
            guard failure == nil else { return }
            self.faults.gradientsFinished(range, of: self.model.gradients)
            do throws(CollectiveError) { try self.sync.gradientsFinal(range, last: last) } catch { failure = error }
        }
        if let failure { throw failure }
        if !reported { faults.gradientsFinished(trainedGradients.indices, of: trainedGradients) }
        return reported
    }

    /// AdamW on the GPT and the extra parameters; frozen weights are put back afterwards, since
    /// weight decay would still move them.
    func update(learningRate: Float) {
        optimizer.update(parameters: trainedValues, gradients: trainedGradients, learningRate: learningRate, step: step + 1)
        if !frozen.isEmpty {
            _ = UnsafeMutableBufferPointer(rebasing: model.parameters[frozen]).update(fromContentsOf: frozenValues)
        }
        if let extra {
            extra.optimizer.update(parameters: extra.values, gradients: extra.gradients, learningRate: learningRate, step: step + 1)
        }
    }
}
