import Collectives
import Training

/// Where the time of a data-parallel step goes, from every rank's `StepTimings` of the same steps.
///
/// A rank that finishes its forward and backward passes early waits in the all-reduce for the
/// slowest one; that wait is not transfer and no transport can shorten it. For each step, rank r's
/// straggler wait is (slowest rank's compute − r's compute) and its exposed transfer is the rest of
/// its exposed all-reduce time. Averaged over ranks, compute + straggler wait is the slowest
/// rank's compute, so the step is compute + straggler wait + exposed transfer + optimizer + other.
/// Milliseconds, means over the timed steps.
public struct StepSplit: Sendable, Codable, Equatable {
    /// Wall time of a step (slowest rank).
    public var stepMs = 0.0
    /// Forward passes (slowest rank).
    public var forwardMs = 0.0
    /// Backward passes (slowest rank).
    public var backwardMs = 0.0
    /// Forward + backward, mean over ranks.
    public var computeMs = 0.0
    /// Waiting for the slowest rank's compute, mean over ranks.
    public var stragglerMs = 0.0
    /// Exposed all-reduce time beyond the straggler wait, mean over ranks.
    public var transferMs = 0.0
    /// Exposed all-reduce time, straggler wait included (slowest rank).
    public var allReduceExposedMs = 0.0
    /// From the first bucket's start to the last one's end, hidden part included (slowest rank).
    public var allReduceTotalMs = 0.0
    /// AdamW (slowest rank).
    public var optimizerMs = 0.0
    /// Each rank's forward + backward.
    public var rankComputeMs: [Double] = []

    /// The rest of the step: loading batches, the loss sum, clipping.
    public var otherMs: Double { max(0, stepMs - computeMs - stragglerMs - transferMs - optimizerMs) }

    /// `steps[s][r]` is rank r's timings of step s.
    public init(steps: [[StepTimings]]) {
        guard let ranks = steps.first?.count, ranks > 0 else { return }
        let n = Double(steps.count), perRank = 1000 / (n * Double(ranks))
        rankComputeMs = [Double](repeating: 0, count: ranks)
        for step in steps {
            let compute = step.map { $0.forward + $0.backward }
            let slowest = compute.max()!
            for (r, t) in step.enumerated() {
                let wait = slowest - compute[r]
                rankComputeMs[r] += compute[r] * 1000 / n
                computeMs += compute[r] * perRank
                stragglerMs += wait * perRank
                transferMs += max(0, t.allReduceExposed - wait) * perRank
            }
            stepMs += step.map(\.total).max()! * 1000 / n
            forwardMs += step.map(\.forward).max()! * 1000 / n
            backwardMs += step.map(\.backward).max()! * 1000 / n
            allReduceExposedMs += step.map(\.allReduceExposed).max()! * 1000 / n
            allReduceTotalMs += step.map(\.allReduceTotal).max()! * 1000 / n
            optimizerMs += step.map(\.optimizer).max()! * 1000 / n
        }
    }

    /// Every rank's timings of this step, on every rank (one small all-reduce).
    public static func gather(_ mine: StepTimings, comm: Communicator) throws(CollectiveError) -> [StepTimings] {
        let fields = [mine.forward, mine.backward, mine.allReduceExposed, mine.allReduceTotal, mine.optimizer, mine.total,
                      mine.exactEncode, mine.exactDecode, mine.clipping, mine.allReduceInBackward]
        let all = try comm.gather(fields)
        return all.map { f in
            var t = StepTimings()
            (t.forward, t.backward, t.allReduceExposed, t.allReduceTotal, t.optimizer, t.total) = (f[0], f[1], f[2], f[3], f[4], f[5])
            (t.exactEncode, t.exactDecode, t.clipping, t.allReduceInBackward) = (f[6], f[7], f[8], f[9])
            return t
        }
    }
}

extension Communicator {
    /// Every rank's `values` (the same count on each), on every rank, in rank order.
    func gather(_ values: [Double]) throws(CollectiveError) -> [[Double]] {
        let k = values.count
        var slots = [Double](repeating: 0, count: k * size)
        for i in 0..<k { slots[rank * k + i] = values[i] }
        let all = try sum(slots)
        return (0..<size).map { Array(all[($0 * k)..<($0 * k + k)]) }
    }
}
