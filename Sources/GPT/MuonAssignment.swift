/// Which rank orthogonalizes which Muon matrix, and where each matrix's update lies in the
/// packed update buffer (`Muon.updates`): rank 0's matrices first, then rank 1's, and so on, so
/// that one all-gather of each rank's contiguous range gives every rank every update.
public struct MuonAssignment: Sendable, Equatable {
    /// Number of ranks sharing the work.
    public let ranks: Int
    /// The rank that orthogonalizes each matrix (indexed like `Muon.matrices`).
    public let owner: [Int]
    /// Each matrix's first element in the packed update buffer.
    public let offsets: [Int]
    /// Each rank's contiguous range of the packed update buffer: what it sends in the all-gather.
    public let rankRanges: [Range<Int>]
    /// Each rank's Newton–Schulz flops (`MuonMatrix.newtonSchulzFlops`), the balance achieved.
    public let rankFlops: [Int]

    /// Balances `matrices` over `ranks` by Newton–Schulz cost: largest first, each to the least
    /// loaded rank so far (lowest rank on ties). Depends only on the shapes and the rank count,
    /// so every rank computes the same assignment.
    public init(matrices: [MuonMatrix], ranks: Int, iterations: Int = 5) {
        precondition(ranks >= 1, "a Muon assignment needs at least one rank")
        let cost = matrices.map { $0.newtonSchulzFlops(iterations: iterations) }
        let order = matrices.indices.sorted { cost[$0] != cost[$1] ? cost[$0] > cost[$1] : $0 < $1 }
        var owner = [Int](repeating: 0, count: matrices.count)
        var load = [Int](repeating: 0, count: ranks)
        for i in order {
            let r = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
            owner[i] = r
            load[r] += cost[i]
        }
        var offsets = [Int](repeating: 0, count: matrices.count)
        var rankRanges: [Range<Int>] = []
        var next = 0
        for r in 0..<ranks {
            let start = next
            for i in matrices.indices where owner[i] == r {
                offsets[i] = next
                next += matrices[i].count
            }
            rankRanges.append(start..<next)
        }
        self.ranks = ranks
        self.owner = owner
        self.offsets = offsets
        self.rankRanges = rankRanges
        rankFlops = load
    }

    /// The matrices (indices into `Muon.matrices`) that `rank` orthogonalizes, in ascending order.
    public func matrices(of rank: Int) -> [Int] {
        precondition(rank >= 0 && rank < ranks)
        return owner.indices.filter { owner[$0] == rank }
    }
}
