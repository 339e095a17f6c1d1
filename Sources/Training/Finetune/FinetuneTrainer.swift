import Checkpoints
import Collectives
import Data
import Foundation
import GPT

/// The data-parallel fine-tuning loop: the same step as pre-training (rank 0 decides and
/// broadcasts a `StepDecision`, each rank runs its slice of the global batch, `GradientSync` sums
/// gradients, every rank clips and applies AdamW) over fine-tuning records instead of token
/// windows. The global batch of step s is the records at stream positions s·R ..< (s+1)·R of a
/// seeded `SampleOrder` over the training records, split across ranks as `BatchPlan` splits
/// pre-training batches (R = batch_tokens / block_size), so results do not depend on the rank count.
public final class FinetuneTrainer {
    public let config: TrainConfig
    public let comm: Communicator
    public let plan: BatchPlan
    public let model: GPTModel
    public let optimizer: AdamW
    /// The classification head (classify only).
    public let head: ClassifierHead?
    /// Class names in class order (classify only).
    public let labels: [String]
    let train: FinetuneExamples
    let val: FinetuneExamples
    let order: SampleOrder
    let schedule: LearningRateSchedule
    let sync: GradientSync
    /// Where rank 0 writes checkpoints.
    public let store: CheckpointStore
    /// Ends the job when ranks stop making progress (set by the command that runs the loop).
    public var watchdog: Watchdog? = nil
    /// Folder holding the tokenizer files copied into every checkpoint.
    let tokenizerDirectory: URL
    /// Parameters that never change: the embeddings and the lowest `freeze_layers` blocks.
    public let frozen: Range<Int>
    private var frozenValues: [Float] = []
    private let batchInputs: UnsafeMutableBufferPointer<Int32>
    private let batchTargets: UnsafeMutableBufferPointer<Int32>
    private let dFeatures: UnsafeMutableBufferPointer<Float>

    public internal(set) var step = 0
    /// Record tokens (padding included) trained on so far across all ranks.
    public internal(set) var tokensSeen = 0
    public internal(set) var lastValidationLoss: Double? = nil
    public internal(set) var best: (loss: Double, step: Int)? = nil
    /// The last evaluation.
    public internal(set) var lastEvaluation: FinetuneEvaluation? = nil

    public init(config: TrainConfig, comm: Communicator, train: FinetuneExamples, val: FinetuneExamples, labels: [String], tokenizerDirectory: URL) throws {
        self.config = config
        self.comm = comm
        self.train = train
        self.val = val
        self.labels = labels
        self.tokenizerDirectory = tokenizerDirectory
        plan = try BatchPlan(config: config, worldSize: comm.size)
        let T = train.sequence, B = plan.microBatch
        model = GPTModel(config: config.model, maxBatch: B, maxSequence: T)
        let t = config.training
        optimizer = AdamW(layout: model.layout, beta1: Float(t.beta1), beta2: Float(t.beta2), weightDecay: Float(t.weightDecay))
        head = config.finetuneSection.task == "classify" ? ClassifierHead(classes: labels.count, channels: config.model.nEmbd) : nil
        guard train.count >= plan.sequencesPerStep else {
            throw TrainingError("\(config.finetuneSection.trainFile): \(train.count) records, fewer than one batch of \(plan.sequencesPerStep) (training.batch_tokens / model.block_size); add records or lower training.batch_tokens")
        }
        order = SampleOrder(sampleCount: train.count, seed: UInt64(t.seed))
        schedule = LearningRateSchedule(t)
        sync = GradientSync(comm: comm, gradients: model.gradients, bucketMiB: config.distributed.bucketMb, overlap: config.distributed.overlap)
        store = CheckpointStore(root: URL(fileURLWithPath: config.checkpoint.dir))
        let freeze = config.finetuneSection.freezeLayers
        frozen = freeze == 0 ? 0..<0 : 0..<model.layout.layerRange(freeze - 1).upperBound
        batchInputs = .allocate(capacity: B * T)
        batchTargets = .allocate(capacity: B * T)
        dFeatures = .allocate(capacity: B * T * config.model.nEmbd)
        dFeatures.initialize(repeating: 0)
    }

    deinit {
        batchInputs.deallocate()
        batchTargets.deallocate()
        dFeatures.deallocate()
    }

    /// Rank 0 loads the pre-trained weights of `initFrom` and draws the head from the seed; every
    /// rank then takes rank 0's values.
    public func start(from initFrom: URL?) throws {
        if comm.isRoot, let initFrom {
            try ModelCheckpoint.load(from: initFrom, into: model, optimizer: nil)
            var rng = SplitMix64(seed: UInt64(config.training.seed))
            head?.initialize(using: &rng)
        }
        try comm.broadcast(UnsafeMutableRawBufferPointer(model.parameters), root: 0)
        if let head { try comm.broadcast(UnsafeMutableRawBufferPointer(head.weight), root: 0) }
        frozenValues = Array(model.parameters[frozen])
    }

    /// Trains until `max_steps`, `untilStep` or `shouldStop` (rank 0), with the loop `Trainer.run` uses.
    public func run(untilStep: Int? = nil, shouldStop: () -> Bool = { false }, onEvent: (TrainingEvent) -> Void,
                    onEvaluation: (Int, FinetuneEvaluation) -> Void) throws {
        try StepLoop(config: config, comm: comm, schedule: schedule, watchdog: watchdog).run(
            step: { step }, untilStep: untilStep, shouldStop: shouldStop, onEvent: onEvent,
            trainStep: trainStep(learningRate:),
            evaluate: {
                let result = try evaluate()
                lastEvaluation = result
                lastValidationLoss = result.loss
                if result.loss.isFinite, result.loss < best?.loss ?? .infinity { best = (result.loss, step) }
                if comm.isRoot { onEvaluation(step, result) }
            },
            save: { try saveCheckpoint(learningRate: $0) })
    }

    /// Fills the batch buffers with records `indices`.
    private func load(_ examples: FinetuneExamples, _ indices: [Int]) {
        let T = examples.sequence
        for (j, r) in indices.enumerated() {
            for i in 0..<T {
                batchInputs[j * T + i] = examples.inputs[r * T + i]
                batchTargets[j * T + i] = examples.targets.isEmpty ? -1 : examples.targets[r * T + i]
            }
        }
    }

    /// One optimizer step over the records of the step's global batch.
    public func trainStep(learningRate: Double) throws -> StepRecord {
        let started = Date()
        model.zeroGradients()
        head?.gradient.update(repeating: 0)
        sync.beginStep()
        let S = plan.sequencesPerStep, B = plan.microBatch, T = train.sequence, C = config.model.nEmbd
        // Every rank knows the whole global batch, so each can scale by its total loss count.
        var total = 0
        for k in 0..<S { total += train.targetCounts[order.sample(atStreamPosition: step * S + k)] }
        let scale = Float(1.0 / Double(max(1, total)))
        var lossSum = 0.0
        var nonFinite = false
        for micro in 0..<plan.accumulationSteps {
            let first = plan.firstPosition(step: step, rank: comm.rank, micro: micro)
            let indices = (0..<B).map { order.sample(atStreamPosition: first + $0) }
            load(train, indices)
            let overlapNow = micro == plan.accumulationSteps - 1 && sync.overlap
            var failure: CollectiveError? = nil
            let callback: ((Range<Int>) -> Void)? = overlapNow ? { range in
                guard failure == nil else { return }
                do throws(CollectiveError) { try self.sync.gradientsFinal(range) } catch { failure = error }
            } : nil
            if let head {
                let features = model.forwardFeatures(inputs: UnsafeBufferPointer(batchInputs), batch: B, sequence: T)
                let rows = indices.enumerated().map { $0.offset * T + train.last[$0.element] }
                let labels = indices.map { train.labels[$0] }
                let loss = head.forward(features: features, rows: rows, labels: labels)
                lossSum += loss
                if !loss.isFinite { nonFinite = true }
                dFeatures.update(repeating: 0)
                head.backward(features: features, rows: rows, labels: labels, scale: scale, dFeatures: dFeatures)
                model.backwardFromFeatures(UnsafeBufferPointer(dFeatures), onFinalGradients: callback)
            } else {
                let result = model.forward(inputs: UnsafeBufferPointer(batchInputs), targets: UnsafeBufferPointer(batchTargets), batch: B, sequence: T)
                lossSum += result.sum
                if !result.sum.isFinite { nonFinite = true }
                model.backward(lossScale: scale, onFinalGradients: callback)
            }
            if let failure { throw failure }
        }
        try sync.finish()
        if let head, comm.size > 1 { try comm.allReduceSum(head.gradient) }
        let totals = try comm.sum([lossSum, nonFinite ? 1 : 0])
        let loss = totals[0] / Double(max(1, total))
        if !frozen.isEmpty { model.gradients[frozen].update(repeating: 0) }
        let norm = combinedNorm()
        let maxNorm = Float(config.training.gradClip)
        if maxNorm > 0, norm > maxNorm, norm.isFinite {
            let s = maxNorm / norm
            for i in 0..<model.gradients.count { model.gradients[i] *= s }
            if let head { for i in 0..<head.gradient.count { head.gradient[i] *= s } }
        }
        let skipped = totals[1] > 0 || !loss.isFinite || !norm.isFinite
        if !skipped {
            let t = config.training
            optimizer.update(parameters: model.parameters, gradients: model.gradients, learningRate: Float(learningRate), step: step + 1)
            if !frozen.isEmpty {
                // AdamW's weight decay would still move frozen weights; put them back.
                _ = UnsafeMutableBufferPointer(rebasing: model.parameters[frozen]).update(fromContentsOf: frozenValues)
            }
            head?.update(learningRate: Float(learningRate), step: step + 1, beta1: Float(t.beta1), beta2: Float(t.beta2), weightDecay: Float(t.weightDecay))
        }
        step += 1
        tokensSeen += S * T
        let seconds = Date().timeIntervalSince(started)
        _ = C
        return StepRecord(
            step: step - 1, loss: loss, lr: learningRate, gradNorm: Double(norm), tokens: tokensSeen,
            skipped: skipped, milliseconds: seconds * 1000, tokensPerSecond: Double(S * T) / seconds,
            allReduceMilliseconds: sync.exposedSeconds * 1000)
    }

    private func combinedNorm() -> Float {
        let a = Double(GradientClipping.globalNorm(model.gradients))
        guard let head else { return Float(a) }
        let b = Double(GradientClipping.globalNorm(head.gradient))
        return Float((a * a + b * b).squareRoot())
    }

    /// Held-out figures over every validation record, shared across ranks (micro-batch i on rank
    /// i mod world size) and reduced, so they are the same at any rank count.
    public func evaluate() throws -> FinetuneEvaluation {
        let B = plan.microBatch, T = val.sequence, K = labels.count
        var sum = 0.0, count = 0.0, correct = 0.0
        var confusion = [Double](repeating: 0, count: K * K)
        let batches = (val.count + B - 1) / B
        var i = comm.rank
        while i < batches {
            let indices = Array((i * B)..<min(val.count, (i + 1) * B))
            load(val, indices)
            if let head {
                let features = model.forwardFeatures(inputs: UnsafeBufferPointer(batchInputs), batch: indices.count, sequence: T)
                let rows = indices.enumerated().map { $0.offset * T + val.last[$0.element] }
                let labels = indices.map { val.labels[$0] }
                sum += head.forward(features: features, rows: rows, labels: labels)
                count += Double(indices.count)
                for (j, label) in labels.enumerated() {
                    let p = head.probabilities[(j * K)..<((j + 1) * K)]
                    let predicted = p.indices.max { p[$0] < p[$1] }! - j * K
                    confusion[label * K + predicted] += 1
                    if predicted == label { correct += 1 }
                }
            } else {
                let result = model.forward(inputs: UnsafeBufferPointer(batchInputs), targets: UnsafeBufferPointer(batchTargets), batch: indices.count, sequence: T)
                sum += result.sum
                count += Double(result.count)
            }
            i += comm.size
        }
        let totals = try comm.sum([sum, count, correct] + confusion)
        return FinetuneEvaluation(
            loss: totals[0] / max(1, totals[1]), count: Int(totals[1]),
            accuracy: head == nil ? nil : totals[2] / max(1, totals[1]),
            confusion: head == nil ? [] : totals[3...].map { Int($0) }, labels: labels)
    }
}

/// Held-out figures of one evaluation.
public struct FinetuneEvaluation: Sendable {
    /// Mean loss: per response token (instruct) or per record (classify).
    public var loss: Double
    /// Response tokens (instruct) or records (classify) evaluated.
    public var count: Int
    /// Share of records whose most likely class is the label (classify).
    public var accuracy: Double?
    /// confusion[true · K + predicted] (classify).
    public var confusion: [Int]
    public var labels: [String]

    /// The share of the most common true label: what always guessing it would score.
    public var majorityRate: Double? {
        guard !confusion.isEmpty else { return nil }
        let K = labels.count
        let rows = (0..<K).map { r in (0..<K).reduce(0) { $0 + confusion[r * K + $1] } }
        return Double(rows.max() ?? 0) / Double(max(1, rows.reduce(0, +)))
    }

    /// A confusion table: one row per true label, one column per predicted label.
    public func confusionTable() -> String {
        let K = labels.count
        let width = max(6, (labels.map(\.count).max() ?? 0) + 1)
        func pad(_ s: String) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
        var lines = [pad("true\\pred") + labels.map(pad).joined()]
        for r in 0..<K {
            lines.append(pad(labels[r]) + (0..<K).map { pad(String(confusion[r * K + $0])) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}
