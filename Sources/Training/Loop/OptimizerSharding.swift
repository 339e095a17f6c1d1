import Collectives
import GPT
import RunConfig

/// ZeRO-1 (`distributed.shard_optimizer`): which shard of the flat parameter buffer this rank
/// updates and holds the optimizer state of, and the moves between that state and the one
/// logical state that checkpoints hold (docs/ARCHITECTURE.md, "Sharded optimizer state").
///
/// The trainer's `optimizer` is then an AdamW over this rank's shard and its Muon covers only the
/// matrices inside it. For a save, rank 0 gathers every rank's state into a whole-buffer AdamW
/// (and Muon) and writes them as an unsharded run would; on resume rank 0 reads the file into
/// those and sends each rank its slice. Rank 0 holds the whole state only meanwhile.
final class OptimizerSharding {
    /// Every rank's shard.
    let partition: ShardPartition
    /// This rank's shard.
    let shard: Range<Int>
    private let layout: ParameterLayout
    private let training: TrainConfig.TrainingSection
    private let rank: Int
    /// Rank 0's whole-buffer optimizer state while a save or a resume needs it, else nil.
    private(set) var logical: (adam: AdamW, muon: Muon?)? = nil

    /// The sharding of `layout` over `ranks` ranks as seen by `rank`, Muon matrices kept whole
    /// under "muon"; nil when `distributed.shard_optimizer` is off.
    init?(config: TrainConfig, layout: ParameterLayout, rank: Int, ranks: Int) {
        guard config.distributed.shardOptimizer else { return nil }
        training = config.training
        partition = ShardPartition(layout: layout, ranks: ranks, muon: training.optimizer == "muon")
        shard = partition.shards[rank]
        self.layout = layout
        self.rank = rank
    }

    /// The Muon matrices of the whole model (AdamW leaves them out of every shard).
    private var muonMatrices: [MuonMatrix] { training.optimizer == "muon" ? layout.muonMatrices : [] }

    /// AdamW over this rank's shard with `training`'s settings.
    func makeAdamW() -> AdamW {
        AdamW(layout: layout, excluding: muonMatrices, shard: shard, beta1: Float(training.beta1), beta2: Float(training.beta2),
              weightDecay: Float(training.weightDecay))
    }

    /// Rank 0: allocates the whole-buffer state (zero) for a save or a resume and returns it.
    @discardableResult
    func makeLogical() -> (adam: AdamW, muon: Muon?) {
        if let logical { return logical }
        let made = (adam: AdamW(layout: layout, excluding: muonMatrices), muon: muonMatrices.isEmpty ? nil : Muon(layout: layout))
        logical = made
        return made
    }

    /// Frees the whole-buffer state once the save or the resume is done.
    func releaseLogical() { logical = nil }

    /// Bytes of the whole optimizer state (AdamW's moments and Muon's momentum), as written.
    var logicalBytes: Int { (2 * layout.totalCount + muonMatrices.reduce(0) { $0 + $1.count }) * MemoryLayout<Float>.size }

    /// Every rank: moves each rank's moments (and Muon momentum) into rank 0's logical state
    /// (`toRoot`, before a save), or rank 0's logical state out to each rank's (after a resume).
    /// One broadcast per rank and buffer: only the collectives the trainer already uses.
    func exchange(adam: AdamW, muon: Muon?, comm: Communicator, toRoot: Bool) throws(CollectiveError) {
        let whole = comm.isRoot ? makeLogical() : nil
        let momentum = momentumRanges()
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(partition.largest, momentum.map(\.count).max() ?? 0, 1))
        defer { scratch.deallocate() }
        for r in 0..<partition.ranks {
            let pairs: [(UnsafeMutableBufferPointer<Float>?, Range<Int>, UnsafeMutableBufferPointer<Float>?)] = [
                (whole?.adam.m, partition.shards[r], adam.m), (whole?.adam.v, partition.shards[r], adam.v),
                (whole?.muon?.momentumBuffer, momentum[r], muon?.momentumBuffer),
            ]
            for (logicalBuffer, range, own) in pairs where !range.isEmpty {
                try move(range: range, logical: logicalBuffer, own: r == rank ? own : nil, owner: r, comm: comm,
                         scratch: scratch, toRoot: toRoot)
            }
        }
    }

    /// One range between rank 0's `logical` buffer and the `owner` rank's `own` buffer.
    private func move(range: Range<Int>, logical: UnsafeMutableBufferPointer<Float>?, own: UnsafeMutableBufferPointer<Float>?,
                      owner: Int, comm: Communicator, scratch: UnsafeMutableBufferPointer<Float>, toRoot: Bool) throws(CollectiveError) {
        let slice = logical.map { UnsafeMutableBufferPointer(rebasing: $0[range]) }
        if owner == 0 {
            // Rank 0's own slice needs no message.
            if let slice, let own {
                if toRoot { _ = slice.update(fromContentsOf: own) } else { _ = own.update(fromContentsOf: slice) }
            }
            return
        }
        let buffer = own ?? slice ?? UnsafeMutableBufferPointer(rebasing: scratch[0..<range.count])
        try comm.broadcast(UnsafeMutableRawBufferPointer(buffer), root: toRoot ? owner : 0)
    }

    /// Each rank's range of the whole Muon momentum (matrices in buffer order; a shard's matrices
    /// are consecutive), empty for every rank without Muon.
    private func momentumRanges() -> [Range<Int>] {
        let matrices = muonMatrices
        var start = 0
        return partition.shards.map { shard in
            let count = matrices.filter { shard.contains($0.offset) }.reduce(0) { $0 + $1.count }
            defer { start += count }
            return start..<(start + count)
        }
    }
}
