/// A link's α–β parameters: the time of one message of n bytes is α + n·β.
public struct LinkCost: Sendable, Equatable, Codable {
    /// Seconds per message (latency plus the MPI and TCP stack's fixed cost).
    public var alpha: Double
    /// Seconds per byte (1 / bandwidth, the host's copies and reductions included when fitted).
    public var beta: Double
    public init(alpha: Double, beta: Double) { self.alpha = alpha; self.beta = beta }

    /// A link of `gbits` Gbit/s carrying `efficiency` of its wire rate, with `latencyUs` µs per message.
    public init(gbits: Double, latencyUs: Double, efficiency: Double = 1) {
        self.init(alpha: latencyUs * 1e-6, beta: 8 / (gbits * 1e9 * efficiency))
    }
}

/// The all-reduce (and reduce-scatter, all-gather) algorithms Open MPI 4.1 runs for our
/// collectives, each with its α–β cost on p ranks: messages·α + byteFactor·n·β for n bytes
/// (critical path; the reduction's arithmetic is folded into β when β is fitted).
public enum CollectiveAlgorithm: String, Sendable, CaseIterable, Codable {
    /// log₂p exchanges of the whole vector (tuned's choice for small messages).
    case recursiveDoubling = "recursive doubling"
    /// Reduce-scatter by recursive halving, then all-gather by recursive doubling (tuned's choice
    /// for large messages at every rank count, and libnbc's `coll_libnbc_iallreduce_algorithm 3`).
    case rabenseifner
    /// 2(p−1) steps of n/p bytes each (libnbc's `coll_libnbc_iallreduce_algorithm 1`).
    case ring
    /// Binomial-tree reduce to rank 0, then binomial broadcast: 2⌈log₂p⌉ steps of the whole vector
    /// (libnbc's choice for an in-place MPI_Iallreduce, which GradientSync's overlap issues).
    case binomial
    /// ZeRO-1's reduce-scatter, modelled as a ring: p−1 steps of n/p bytes.
    case ringReduceScatter = "ring reduce-scatter"
    /// ZeRO-1's parameter all-gather, modelled as a ring: p−1 steps of n/p bytes.
    case ringAllGather = "ring all-gather"

    /// (messages, byte factor) of this algorithm on `ranks` ranks.
    public func coefficients(ranks p: Int) -> (messages: Double, bytes: Double) {
        guard p > 1 else { return (0, 0) }
        let pd = Double(p)
        let pow2 = 1 << (Int.bitWidth - 1 - p.leadingZeroBitCount)  // largest power of two ≤ p
        let log2p = Double(pow2.trailingZeroBitCount), ceilLog = Double(Int.bitWidth - (p - 1).leadingZeroBitCount)
        // Ranks beyond the power of two fold into a partner first and get the result last.
        let extra: (Double, Double) = pow2 == p ? (0, 0) : (2, 1)
        switch self {
        case .recursiveDoubling: return (log2p + extra.0, log2p + 2 * extra.1)
        case .rabenseifner: return (2 * log2p + extra.0, 2 * Double(pow2 - 1) / Double(pow2) + extra.1)
        case .ring: return (2 * (pd - 1), 2 * (pd - 1) / pd)
        case .binomial: return (2 * ceilLog, 2 * ceilLog)
        case .ringReduceScatter, .ringAllGather: return (pd - 1, (pd - 1) / pd)
        }
    }

    /// Seconds to run this algorithm on `bytes` bytes over `ranks` ranks of `link`.
    public func seconds(bytes: Double, ranks: Int, link: LinkCost) -> Double {
        let c = coefficients(ranks: ranks)
        return c.messages * link.alpha + c.bytes * bytes * link.beta
    }

    /// What Open MPI 4.1's tuned component picks for a blocking MPI_Allreduce of `bytes` bytes
    /// (coll_tuned_decision_fixed.c): Rabenseifner from 256 KiB below 4 ranks and from 8 KiB at
    /// 4 to 63 (the table's ring and segmented ring at 8–256 KiB below 4 ranks are modelled as
    /// ring); recursive doubling under those sizes. From 64 ranks the table also uses linear and
    /// nonoverlapping algorithms for small messages, modelled here as recursive doubling.
    public static func blockingAllReduce(bytes: Double, ranks: Int) -> CollectiveAlgorithm {
        if ranks < 4 {
            if bytes >= 262_144 { return .rabenseifner }
            return bytes >= 65536 || (bytes >= 4096 && bytes < 8192) ? .ring : .recursiveDoubling
        }
        let large: Double = ranks < 64 ? 8192 : 262_144
        return bytes >= large ? .rabenseifner : .recursiveDoubling
    }

    /// What libnbc picks for GradientSync's nonblocking in-place MPI_Iallreduce: binomial below
    /// 4 ranks, under 64 KiB or in place (always, for us) unless `coll_libnbc_iallreduce_algorithm`
    /// forces one (`forced`).
    public static func nonblockingAllReduce(forced: CollectiveAlgorithm? = nil) -> CollectiveAlgorithm {
        forced ?? .binomial
    }
}
