import Collectives
import ExactSum
import Foundation
import Testing

/// A small seeded generator (xorshift64*), so every test is deterministic.
struct Seeded: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}

/// Random Floats with magnitudes from 2^lowest to 2^highest and random signs.
func wideFloats(_ n: Int, seed: UInt64, lowest: Int = -40, highest: Int = 10) -> [Float] {
    var rng = Seeded(state: seed)
    return (0..<n).map { _ in
        let e = Int.random(in: lowest...highest, using: &rng)
        let m = Float.random(in: 1..<2, using: &rng)
        return (Bool.random(using: &rng) ? 1 : -1) * Float(sign: .plus, exponent: e, significand: m)
    }
}

/// The exact sum of `terms` (one Float buffer each) through `ExactGradientSum`, terms added in order.
func exactSum(_ terms: [[Float]]) -> (sum: [Float], outOfRange: Int) {
    let acc = ExactGradientSum(count: terms[0].count)
    for t in terms { t.withUnsafeBufferPointer { acc.add($0, at: 0) } }
    var out = [Float](repeating: 0, count: acc.count)
    out.withUnsafeMutableBufferPointer { acc.decode(0..<acc.count, into: $0) }
    return (out, acc.outOfRange)
}

@Suite(.serialized) struct FloatFixedPointTests {
    @Test func singleValuesRoundTripExactly() {
        let values = wideFloats(10_000, seed: 1, lowest: -57, highest: 18) + [0, -0, 0x1p-57, 0x1.fffffep18, -0x1.fffffep18]
        let (sum, bad) = exactSum([values])
        #expect(bad == 0)
        #expect(sum == values)
    }

    /// The vectorized block decode gives `decode(hi:lo:)`'s bits for any limbs a sum can hold:
    /// totals of every size (high parts beyond 2⁵¹ take the fallback), low limbs of either sign.
    @Test func blockDecodeMatchesTheScalarDecode() {
        var rng = Seeded(state: 77)
        var limbs: [Int64] = []
        for k in 0..<20_000 {
            // Mostly gradient-sized totals; every 97th pair anywhere in the limbs' range.
            let hiBits = k % 97 == 0 ? 62 : Int.random(in: 0...40, using: &rng)
            let hi = Int64.random(in: -(1 << hiBits)...(1 << hiBits), using: &rng)
            let loBits = Int.random(in: 0...62, using: &rng)
            limbs += [hi, Int64.random(in: -(1 << loBits)...(1 << loBits), using: &rng)]
        }
        limbs += [0, 0, 0, -1, 0, 1, -(1 << 51), 0, (1 << 51) - 1, (1 << 50) - 1, (1 << 62), -(1 << 62), -(1 << 62), (1 << 62)]
        let n = limbs.count / 2
        var block = [Float](repeating: .nan, count: n)
        limbs.withUnsafeBufferPointer { l in
            block.withUnsafeMutableBufferPointer { FloatFixedPoint.decode(l.baseAddress!, count: n, into: $0.baseAddress!) }
        }
        let scalar = (0..<n).map { FloatFixedPoint.decode(hi: limbs[2 * $0], lo: limbs[2 * $0 + 1]) }
        let differ = (0..<n).filter { block[$0].bitPattern != scalar[$0].bitPattern }
        #expect(differ.isEmpty, "\(differ.count) of \(n) differ, first at \(differ.first.map { "\(limbs[2 * $0]), \(limbs[2 * $0 + 1])" } ?? "")")
    }

    @Test func outOfRangeValuesAreCountedAndAddNothing() {
        let (sum, bad) = exactSum([[.nan, .infinity, -.infinity, 0x1p19, -0x1p20, 3], [1, 1, 1, 1, 1, 1]])
        #expect(bad == 5)
        #expect(sum == [1, 1, 1, 1, 1, 4])
    }

    /// Any order and any grouping of the same terms (ranks combined by adding limbs) gives the
    /// same bits, and they are the correctly rounded exact sum (checked against ExactDoubleSums).
    @Test func sumDoesNotDependOnOrderOrGroupingAndIsCorrectlyRounded() {
        let n = 2000, terms = (0..<24).map { wideFloats(n, seed: 100 + UInt64($0)) }
        let forward = exactSum(terms).sum
        #expect(exactSum(terms.reversed()).sum == forward)
        // Three "ranks" of 5, 11 and 8 terms, combined as MPI's Int64 sum does.
        let ranks = [terms[0..<5], terms[5..<16], terms[16..<24]].map { part -> ExactGradientSum in
            let acc = ExactGradientSum(count: n)
            for t in part.reversed() { t.withUnsafeBufferPointer { acc.add($0, at: 0) } }
            return acc
        }
        ranks[2].addLimbs(of: ranks[0])
        ranks[2].addLimbs(of: ranks[1])
        var combined = [Float](repeating: 0, count: n)
        combined.withUnsafeMutableBufferPointer { ranks[2].decode(0..<n, into: $0) }
        #expect(combined == forward)
        var floatWorse = 0, exactWorse = 0
        for i in 0..<n {
            var exact = ExactDoubleSums(count: 1)
            var floatSum: Float = 0
            for t in terms { exact.add(Double(t[i]), at: 0); floatSum += t[i] }
            let reference = exact.value(at: 0)
            let error = abs(Double(forward[i]) - reference)
            #expect(error <= 0.5 * Double(forward[i].ulp) * (1 + 1e-9), "element \(i): \(forward[i]) vs \(reference)")
            let floatError = abs(Double(floatSum) - reference)
            if floatError > error { floatWorse += 1 }
            if error > floatError { exactWorse += 1 }
        }
        #expect(exactWorse == 0)
        print("fixed point vs float summation over 24 terms: float is further from the exact sum in \(floatWorse) of \(n) elements, fixed point in \(exactWorse)")
    }

    /// Conversion cost at gpt-small's parameter count (13.9 M): one micro-batch's absorb, and the
    /// decode once per step. Printed only (the machine is shared, so timings are indicative).
    @Test(arguments: [1, 2]) func conversionAtGptSmallSize(threads: Int) {
        let n = 13_900_000
        let grads = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
        defer { grads.deallocate() }
        for i in 0..<n { grads[i] = Float(i % 1000) * 1e-4 - 0.05 }
        let acc = ExactGradientSum(count: n)
        acc.threads = threads
        let t0 = Date()
        acc.add(UnsafeBufferPointer(grads), at: 0)
        let t1 = Date()
        acc.absorb(grads, range: 0..<n)
        let t2 = Date()
        acc.decode(0..<n, into: grads)
        let t3 = Date()
        #expect(acc.outOfRange == 0)
        #expect((0..<n).allSatisfy { i in grads[i] == 2 * (Float(i % 1000) * 1e-4 - 0.05) })
        print(String(format: "13.9M elements, %d threads: add %.1f ms, absorb (add + zero) %.1f ms, decode %.1f ms", threads,
                     t1.timeIntervalSince(t0) * 1000, t2.timeIntervalSince(t1) * 1000, t3.timeIntervalSince(t2) * 1000))
    }
}
