import Collectives
import ExactSum

/// An evaluation's sums (loss, counts, a confusion table) reduced over ranks: exactly with
/// `distributed.exact` (`ExactDoubleSums`, the same bits at any rank count), else as Doubles added
/// in order on each rank and then across ranks.
struct EvaluationSums {
    private var plain: [Double]
    private var exact: ExactDoubleSums?

    /// `count` sums at zero.
    init(count: Int, exact: Bool) {
        plain = [Double](repeating: 0, count: count)
        self.exact = exact ? ExactDoubleSums(count: count) : nil
    }

    /// Adds `value` to sum `index` of this rank.
    mutating func add(_ value: Double, at index: Int) {
        if exact != nil { exact!.add(value, at: index) } else { plain[index] += value }
    }

    /// The sums over every rank (every rank calls this).
    mutating func reduce(comm: Communicator) throws(CollectiveError) -> [Double] {
        guard var sums = exact else { return try comm.sum(plain) }
        try sums.allReduce(comm: comm)
        return sums.values
    }
}
