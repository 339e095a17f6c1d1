import Collectives
import GPT

extension Trainer {
    /// One optimizer step: forward/backward over this rank's slice of the global batch, gradient
    /// sum across ranks, one clipping call, the optimizer step on every trainable parameter.
    public func trainStep(learningRate: Double) throws -> StepRecord {
        var times = StepTimings()
        let startedAt = monotonicSeconds()
        model.zeroGradients()
        extra?.gradients.update(repeating: 0)
        sync.beginStep()
        // Every rank knows the whole global batch, so each scales by the same total loss count.
        let S = plan.sequencesPerStep
        let count = objective.lossCount(of: (0..<S).map { order.sample(atStreamPosition: step * S + $0) })
        let scale = Float(1.0 / Double(max(1, count)))
        watchdog?.enter("forward/backward", step: step, collective: false)
        if let fault, !fault.inSave, fault.fires(rank: comm.rank, step: step) {
            if fault.kind == .nan { pendingNaN = true } else { fault.strike() }
        }
        var lossSum = 0.0
        var nonFinite = false
        for micro in 0..<plan.accumulationSteps {
            let first = plan.firstPosition(step: step, rank: comm.rank, micro: micro)
            let samples = (0..<plan.microBatch).map { order.sample(atStreamPosition: first + $0) }
            let forwardAt = monotonicSeconds()
            let sum = objective.forward(model: model, samples: samples)
            let backwardAt = monotonicSeconds()
            times.forward += backwardAt - forwardAt
            lossSum += sum
            if !sum.isFinite { nonFinite = true }
            try backward(overlapping: micro == plan.accumulationSteps - 1 && sync.overlap, lossScale: scale)
            times.backward += monotonicSeconds() - backwardAt
        }
        poisonIfPending(model.gradients.startIndex..<model.gradients.endIndex)
        watchdog?.enter("gradient all-reduce", step: step, collective: true)
        try sync.finish()
        if let extra, comm.size > 1 { try comm.allReduceSum(extra.gradients) }
        times.allReduceExposed = sync.exposedSeconds
        times.allReduceTotal = sync.totalSeconds
        let totals = try comm.sum([lossSum, nonFinite ? 1 : 0])
        let loss = totals[0] / Double(max(1, count))
        if !frozen.isEmpty { model.gradients[frozen].update(repeating: 0) }
        let clip = GradientClipping.clip([model.gradients] + (extra.map { [$0.gradients] } ?? []), maxNorm: Float(config.training.gradClip))
        let skipped = totals[1] > 0 || !loss.isFinite || !clip.norm.isFinite
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

    /// The objective's backward pass; with `overlapping`, each range of gradients that becomes
    /// final starts its bucket's all-reduce while backward goes on.
    private func backward(overlapping: Bool, lossScale: Float) throws(CollectiveError) {
        guard overlapping else {
            objective.backward(model: model, lossScale: lossScale, onFinalGradients: nil)
            return
        }
        var failure: CollectiveError? = nil
        objective.backward(model: model, lossScale: lossScale) { range in
            guard failure == nil else { return }
            self.poisonIfPending(range)
            do throws(CollectiveError) { try self.sync.gradientsFinal(range) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// The `nan` fault: writes NaN into the first gradient of `range`, which backward has just
    /// finished and which is about to be all-reduced, so the fault takes the real path (every
    /// rank's sum becomes NaN and every rank skips the update).
    private func poisonIfPending(_ range: Range<Int>) {
        guard pendingNaN, !range.isEmpty else { return }
        model.gradients[range.lowerBound] = .nan
        pendingNaN = false
    }

    /// AdamW on the GPT and the extra parameters; frozen weights are put back afterwards, since
    /// weight decay would still move them.
    func update(learningRate: Float) {
        optimizer.update(parameters: model.parameters, gradients: model.gradients, learningRate: learningRate, step: step + 1)
        if !frozen.isEmpty {
            _ = UnsafeMutableBufferPointer(rebasing: model.parameters[frozen]).update(fromContentsOf: frozenValues)
        }
        if let extra {
            extra.optimizer.update(parameters: extra.values, gradients: extra.gradients, learningRate: learningRate, step: step + 1)
        }
    }
}
