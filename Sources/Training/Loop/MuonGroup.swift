import Collectives
import GPT
import RunConfig

/// The Muon half of `training.optimizer` "muon": Muon on the model's hidden matrices, each rank
/// orthogonalizing its share (`MuonAssignment`) and all-gathering the others'. The AdamW half is
/// the trainer's `optimizer`, built with these matrices excluded.
final class MuonGroup {
    /// The optimizer; its `momentumBuffer` is checkpointed and the same on every rank.
    let muon: Muon
    /// Which rank orthogonalizes which matrix at this world size (shapes only, so every rank agrees).
    let assignment: MuonAssignment
    /// AdamW group's peak rate over Muon's (`training.adam_lr` / `training.lr`): both follow the
    /// schedule's multiplier, so the AdamW rate of a step is the step's rate times this.
    let adamRatio: Double

    /// Muon for `layout`'s hidden matrices with `training`'s momentum and weight decay, or nil
    /// when `training.optimizer` is "adamw". With `shard` (ZeRO-1) only the matrices inside this
    /// rank's shard, all orthogonalized here: their momentum lives on this rank only.
    init?(training t: TrainConfig.TrainingSection, layout: ParameterLayout, ranks: Int, shard: Range<Int>? = nil) {
        guard t.optimizer == "muon" else { return nil }
        if let shard {
            let mine = layout.muonMatrices.filter { shard.contains($0.offset) }
            muon = Muon(matrices: mine, momentum: Float(t.muonMomentum), weightDecay: Float(t.weightDecay))
            assignment = muon.assignment(ranks: 1)
        } else {
            muon = Muon(layout: layout, momentum: Float(t.muonMomentum), weightDecay: Float(t.weightDecay))
            assignment = muon.assignment(ranks: ranks)
        }
        adamRatio = t.resolvedAdamLr / t.lr
    }

    /// Muon's part of a step on every rank: momentum of every matrix, Newton–Schulz of this rank's
    /// share, all-gather of the packed updates, then every matrix's update at `learningRate`.
    func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
              learningRate: Float, comm: Communicator) throws(CollectiveError) {
        muon.updateMomentum(gradients: gradients)
        muon.orthogonalize(rank: comm.rank, of: assignment, gradients: gradients)
        if comm.size > 1 { try comm.allGather(muon.updates, ranges: assignment.rankRanges) }
        muon.apply(parameters: parameters, assignment: assignment, learningRate: learningRate)
    }
}
