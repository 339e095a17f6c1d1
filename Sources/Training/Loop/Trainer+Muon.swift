import Collectives
import GPT
import RunConfig

extension Trainer {
    /// The optimizer state every rank must hold identically: AdamW's moments, then Muon's
    /// momentum under "muon". Broadcast on start and resume, hashed by the replica check.
    var optimizerBuffers: [UnsafeMutableBufferPointer<Float>] {
        // ZeRO-1: every rank's state is its own shard's; nothing is the same on every rank.
        guard sharding == nil else { return [] }
        return [optimizer.m, optimizer.v] + (muon.map { [$0.muon.momentumBuffer] } ?? [])
    }

    /// The update of a step that was not skipped. "adamw": AdamW on everything at `learningRate`.
    /// "muon": Muon on the hidden matrices at `learningRate`, then AdamW on the rest (and on the
    /// objective's extra parameters) at the AdamW group's rate; frozen values are put back last.
    func optimizerStep(learningRate: Double) throws(CollectiveError) {
        if let sharding { return try shardedOptimizerStep(learningRate: learningRate, sharding: sharding) }
        guard let muon else {
            update(learningRate: Float(learningRate))
            return
        }
        watchdog?.enter("Muon update all-gather", step: step, collective: true)
        try muon.step(parameters: model.parameters, gradients: UnsafeBufferPointer(model.gradients),
                      learningRate: Float(learningRate), comm: comm)
        update(learningRate: Float(learningRate * muon.adamRatio))
    }

    /// Refuses, before any tensor is read, a checkpoint whose optimizer state is another
    /// optimizer's: AdamW moments cannot seed Muon's momentum, nor the reverse.
    func checkSameOptimizer(saved: TrainConfig, checkpoint: String) throws {
        let theirs = saved.training.optimizer, mine = config.training.optimizer
        guard theirs != mine else { return }
        throw TrainingError("\(checkpoint) holds \(theirs) optimizer state but this run has training.optimizer \"\(mine)\"; resume with --set training.optimizer=\(theirs), or, to switch optimizers, start a new checkpoint.dir from its weights (training.init_from, or finetune.init_from)")
    }
}
