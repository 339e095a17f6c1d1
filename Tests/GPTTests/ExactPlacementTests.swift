import Collectives
import ExactSum
import GPT
import Testing
import TestSupport

/// A step's gradient summed exactly (ExactSum) does not depend on how its micro-batches are
/// placed on ranks, and is at least as close to a float64 reference as today's float sums.
/// Ranks are simulated in one process: each runs its micro-batches through its own model and
/// accumulator, absorbing every range backward reports; the accumulators are then combined by
/// adding their limbs, which is what MPI's Int64 sum does.
@Suite struct ExactPlacementTests {
    static let config = GPTConfig(nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 32, vocabSize: 512)  // gpt-tiny
    static let B = 4, T = 32, microBatches = 6

    static func batch(_ micro: Int) -> (inputs: [Int32], targets: [Int32]) {
        randomBatch(batch: B, sequence: T, vocab: config.vocabSize, seed: 40 + UInt64(micro), ignored: micro == 2 ? [3, 9] : [])
    }

    static func model() -> GPTModel {
        let m = GPTModel(config: config, maxBatch: B, maxSequence: T)
        var rng = SplitMix64(seed: 1337)
        m.initializeWeights(using: &rng)
        return m
    }

    static let scale: Float = 1 / Float(microBatches * B * T - 2)

    /// The exact path: ranks[r] lists the micro-batches rank r runs, in its order.
    static func exactGradient(_ ranks: [[Int]]) -> [Float] {
        let accumulators = ranks.map { micros -> ExactGradientSum in
            let m = model()
            let acc = ExactGradientSum(count: m.layout.totalCount)
            m.zeroGradients()
            for micro in micros {
                let b = batch(micro)
                m.forward(b.inputs, b.targets, batch: B, sequence: T)
                m.backward(lossScale: scale) { range in acc.absorb(m.gradients, range: range) }
            }
            #expect(!m.gradients.contains { $0 != 0 })  // every range was absorbed
            return acc
        }
        for acc in accumulators.dropFirst() { accumulators[0].addLimbs(of: acc) }
        var out = [Float](repeating: 0, count: accumulators[0].count)
        out.withUnsafeMutableBufferPointer { accumulators[0].decode(0..<$0.count, into: $0) }
        #expect(accumulators[0].outOfRange == 0)
        return out
    }

    /// Today's path: each rank accumulates in its Float gradient buffer, ranks are summed in Float.
    static func floatGradient(_ ranks: [[Int]]) -> [Float] {
        var total: [Float]? = nil
        for micros in ranks {
            let m = model()
            m.zeroGradients()
            for micro in micros {
                let b = batch(micro)
                m.forward(b.inputs, b.targets, batch: B, sequence: T)
                m.backward(lossScale: scale)
            }
            total = total.map { zip($0, m.gradients).map { $0 + $1 } } ?? Array(m.gradients)
        }
        return total!
    }

    /// Σ of each micro-batch's own gradient in Double (compensated, so its error is far below Float's).
    static func float64Reference() -> [Double] {
        let m = model()
        var sum = [Double](repeating: 0, count: m.layout.totalCount), c = sum
        for micro in 0..<microBatches {
            let b = batch(micro)
            m.zeroGradients()
            m.forward(b.inputs, b.targets, batch: B, sequence: T)
            m.backward(lossScale: scale)
            for i in sum.indices {
                let x = Double(m.gradients[i]), t = sum[i] + x
                c[i] += abs(sum[i]) >= abs(x) ? (sum[i] - t) + x : (x - t) + sum[i]
                sum[i] = t
            }
        }
        return zip(sum, c).map { $0 + $1 }
    }

    static let placements: [[[Int]]] = [
        [[0, 1, 2, 3, 4, 5]], [[0, 1, 2], [3, 4, 5]], [[0, 1], [2, 3], [4, 5]],
        [[5], [0, 3, 1], [4], [2]], [[5, 4, 3, 2, 1, 0]],
    ]

    @Test func placementDoesNotChangeTheExactSum() {
        let reference = Self.exactGradient(Self.placements[0])
        for placement in Self.placements.dropFirst() {
            #expect(Self.exactGradient(placement) == reference, "placement \(placement)")
        }
        let floats = Self.placements.map { Self.floatGradient($0) }
        let distinct = Set(floats.map { $0.map(\.bitPattern) }).count
        print("gpt-tiny, 6 micro-batches, \(Self.placements.count) placements: exact sums identical; today's float sums give \(distinct) different results")
    }

    /// The loop's path: `ExactGradientSync` on ranks that are threads, buckets started during the
    /// last backward (small buckets, so there are many), the loss summed with `ExactDoubleSums`.
    static func syncedStep(_ ranks: [[Int]]) -> (gradients: [Float], loss: Double) {
        // #expect is kept out of the rank threads (they run outside the test's task): each rank
        // returns its failures as a count.
        let results = ThreadWorld(size: ranks.count).run { comm -> ([Float], Double, Int) in
            let m = model()
            let sync = ExactGradientSync(comm: comm, gradients: m.gradients, bucketMiB: 0.05, overlap: true, threads: 2)
            var losses = ExactDoubleSums(count: 2)
            var errors = 0
            m.zeroGradients()
            sync.beginStep()
            let micros = ranks[comm.rank]
            for (k, micro) in micros.enumerated() {
                let b = batch(micro)
                losses.add(m.forward(b.inputs, b.targets, batch: B, sequence: T).sum, at: 0)
                var failure: CollectiveError? = nil
                m.backward(lossScale: scale) { range in
                    do throws(CollectiveError) { try sync.gradientsFinal(range, last: k == micros.count - 1) } catch { failure = error }
                }
                if failure != nil { errors += 1 }
            }
            let bad = (try? sync.finish()) ?? 1
            losses.add(Double(bad), at: 1)
            do { try losses.allReduce(comm: comm) } catch { errors += 1 }
            return (Array(m.gradients), losses.value(at: 0), errors + Int(losses.value(at: 1)))
        }
        #expect(results.allSatisfy { $0.2 == 0 })
        #expect(results.allSatisfy { $0.0 == results[0].0 && $0.1 == results[0].1 })  // replicas agree
        return (results[0].0, results[0].1)
    }

    @Test func gradientSyncOnThreadRanksGivesTheSameBitsAtEveryPlacement() {
        let reference = Self.syncedStep(Self.placements[0])
        #expect(reference.gradients == Self.exactGradient(Self.placements[0]))
        for placement in Self.placements.dropFirst() {
            let other = Self.syncedStep(placement)
            #expect(other.gradients == reference.gradients && other.loss == reference.loss, "placement \(placement)")
        }
    }

    @Test func exactSumIsAtLeastAsCloseToFloat64AsFloatSums() {
        let reference = Self.float64Reference()
        let exact = Self.exactGradient(Self.placements[1])
        var exactSquares = 0.0, floatSquares = 0.0, exactMax = 0.0, floatMax = 0.0, exactFurther = 0
        for placement in Self.placements {
            let floats = Self.floatGradient(placement)
            for i in reference.indices {
                let e = abs(Double(exact[i]) - reference[i]), f = abs(Double(floats[i]) - reference[i])
                if e > f { exactFurther += 1 }
                exactSquares += e * e; floatSquares += f * f
                exactMax = max(exactMax, e); floatMax = max(floatMax, f)
            }
        }
        #expect(exactFurther == 0)
        #expect(exactSquares <= floatSquares && exactMax <= floatMax)
        let n = Double(Self.placements.count * reference.count)
        print("gpt-tiny gradient vs float64 over \(Self.placements.count) placements: exact rms \((exactSquares / n).squareRoot()) max \(exactMax); float rms \((floatSquares / n).squareRoot()) max \(floatMax); elements where exact is further: \(exactFurther)")
    }
}
