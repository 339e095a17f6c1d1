import Checkpoints
import Collectives
import Data
import Foundation
import GPT
import ModelFiles
import RunConfig

/// The data-parallel trainer for every objective (DESIGN.md, "Distributed step").
///
/// Every rank holds a replica and runs the same steps; rank 0 decides the learning rate and
/// whether to evaluate, save or stop, and broadcasts it; gradients are summed across ranks, so
/// replicas stay identical. What the batches are and what the loss is comes from `objective`.
public final class Trainer {
    public let config: TrainConfig
    public let comm: Communicator
    public let plan: BatchPlan
    public let model: GPTModel
    /// AdamW on every parameter, or under "muon" on those Muon does not take.
    public let optimizer: AdamW
    /// Muon on the hidden matrices when `training.optimizer` is "muon" (Trainer+Muon.swift).
    let muon: MuonGroup?
    /// ZeRO-1 under `distributed.shard_optimizer`: `optimizer` and `muon` then cover this rank's
    /// shard only (OptimizerSharding.swift, Trainer+Shard.swift).
    let sharding: OptimizerSharding?
    /// Pre-training, instruction fine-tuning or classification.
    public let objective: TrainingObjective
    /// Parameters the objective trains besides the GPT's.
    let extra: ExtraParameters?
    let order: SampleOrder
    /// Sums gradients, loss and the non-finite count across ranks (in Float, or exactly).
    let sync: StepSync
    /// Parameters that never change: the embeddings and the lowest `objective.frozenLayers` blocks.
    let frozen: Range<Int>
    var frozenValues: [Float] = []
    /// Optimizer steps completed.
    public internal(set) var step = 0
    /// Tokens (padding included) trained on so far across all ranks.
    public internal(set) var tokensSeen = 0
    /// Validation loss of the last evaluation, if any.
    public internal(set) var lastValidationLoss: Double? = nil
    /// Best validation loss so far and the step whose checkpoint had it.
    public internal(set) var best: (loss: Double, step: Int)? = nil
    /// The last evaluation of the step loop.
    public internal(set) var lastEvaluation: Evaluation? = nil
    /// Wall seconds spent in training steps over the whole run, resumed segments included.
    public internal(set) var trainingSeconds = 0.0
    /// Whether every step so far, resumed segments included, summed exactly (state.json's `exact`).
    public internal(set) var exactThroughout: Bool
    /// Where the time of the last `trainStep` went (for `trainer bench`).
    public internal(set) var timings = StepTimings()
    /// Where rank 0 writes checkpoints.
    public let store: CheckpointStore
    /// Ends the job when ranks stop making progress (set by whoever runs the loop).
    public var watchdog: Watchdog? = nil
    /// Where a deliberate failure for tests (TRAINER_FAULT) strikes; none unless set.
    public var faults: FaultHook
    /// Task files scored at every evaluation (`eval.tasks`), set by whoever runs the loop.
    public var tasks: TrainingTasks? = nil
    /// Folder holding the tokenizer files copied into every checkpoint.
    let tokenizerDirectory: URL
    /// A LoRA fine-tune's base model (finetune.init_from), set by whoever runs the loop: loaded
    /// again on resume, and identified in every checkpoint (Trainer+LoRA.swift).
    public var baseWeights: PretrainedWeights? = nil
    /// The base's identity, hashed once.
    var baseIdentity: LoRABase? = nil
    /// Rank 0: the state.json that `loadCheckpoint` decoded, until `adoptCheckpoint` takes it.
    var loadedState: TrainingState? = nil

    /// Builds the replica and its optimizer; `makeObjective` gets the batch plan it must follow.
    /// Call `start(initFrom:)` or restore a checkpoint next.
    public init(config: TrainConfig, comm: Communicator, tokenizerDirectory: URL,
                objective makeObjective: (BatchPlan) throws -> TrainingObjective) throws {
        self.config = config
        self.comm = comm
        self.tokenizerDirectory = tokenizerDirectory
        faults = FaultHook(nil, rank: comm.rank)
        plan = try BatchPlan(config: config, worldSize: comm.size)
        objective = try makeObjective(plan)
        let adapter = Self.makeAdapter(config: config, objective: objective, plan: plan)
        model = GPTModel(config: config.model, maxBatch: plan.microBatch, maxSequence: objective.sequence, trainsBase: adapter == nil)
        model.lora = adapter
        let t = config.training
        // LoRA's state is small and unsharded (configs asking for both are refused).
        sharding = adapter == nil ? OptimizerSharding(config: config, layout: model.layout, rank: comm.rank, ranks: comm.size) : nil
        muon = adapter == nil ? MuonGroup(training: t, layout: model.layout, ranks: comm.size, shard: sharding?.shard) : nil
        optimizer = adapter.map { Self.adapterOptimizer($0, t) } ?? sharding?.makeAdamW()
            ?? AdamW(layout: model.layout, excluding: muon?.muon.matrices ?? [], beta1: Float(t.beta1), beta2: Float(t.beta2), weightDecay: Float(t.weightDecay))
        extra = objective.extraParameters
        order = SampleOrder(sampleCount: objective.sampleCount, seed: UInt64(t.seed))
        exactThroughout = config.distributed.exact
        sync = makeStepSync(config: config, comm: comm, gradients: adapter?.gradients ?? model.gradients, extraGradients: extra?.gradients,
                            shards: sharding?.partition)
        store = CheckpointStore(root: URL(fileURLWithPath: config.checkpoint.dir))
        let freeze = objective.frozenLayers
        frozen = freeze == 0 ? 0..<0 : 0..<model.layout.layerRange(freeze - 1).upperBound
    }

    /// A fresh start: rank 0 loads the pre-trained weights of `initFrom` (our checkpoint or a
    /// Hugging Face GPT-2 directory) or draws them from the seed, and draws the objective's extra
    /// parameters; every rank then takes rank 0's. A failed load stops every rank with its message.
    public func start(initFrom: PretrainedWeights?) throws {
        _ = try comm.agreeOnRoot {
            if let initFrom {
                try initFrom.load(into: model)
            } else {
                var rng = SplitMix64(seed: UInt64(config.training.seed))
                model.initializeWeights(using: &rng)
            }
            objective.initializeExtraParameters(seed: config.training.seed)
            initializeAdapter()
        }
        try shareReplica(optimizerState: false)
    }

    /// Every rank takes rank 0's weights (and, with `optimizerState`, AdamW moments and Muon's momentum) and
    /// remembers the frozen values.
    func shareReplica(optimizerState: Bool) throws(CollectiveError) {
        var buffers = [model.parameters] + (model.lora.map { [$0.values] } ?? [])
        if optimizerState { buffers += optimizerBuffers }
        if let extra { buffers += optimizerState ? [extra.values, extra.optimizer.m, extra.optimizer.v] : [extra.values] }
        for buffer in buffers { try comm.broadcast(UnsafeMutableRawBufferPointer(buffer), root: 0) }
        if optimizerState { try scatterShards() }
        frozenValues = Array(model.parameters[frozen])
    }

    /// Trains until `max_steps`, until `untilStep` steps are done, or until `shouldStop` (asked on
    /// rank 0 only) says so; the last step is always followed by a checkpoint.
    public func run(untilStep: Int? = nil, shouldStop: () -> Bool = { false }, onEvent: (TrainingEvent) -> Void) throws {
        let bytes = replicaBuffers.reduce(sharding?.logicalBytes ?? 0) { $0 + $1.count * MemoryLayout<Float>.size }
        try StepLoop(config: config, comm: comm, watchdog: watchdog, checkpointBytes: bytes)
            .run(self, untilStep: untilStep, shouldStop: shouldStop, onEvent: onEvent)
    }

    /// Held-out figures of the current weights, with the `eval.tasks` scores; outside the step
    /// loop they do not count as the best or last validation loss.
    public func evaluate() throws -> Evaluation {
        var result = try objective.evaluate(model: model, comm: comm)
        if let tasks { result.tasks = try tasks.score(model: model, comm: comm) }
        return result
    }
}
