import ExactSum
import Foundation
import GPT
import Testing

/// One step of gpt-small's shapes on real text (Macbeth's bytes as tokens), 4 micro-batches of
/// 2 × 256: the exact sum and today's Float sums (at 1, 2 and 4 ranks) against a compensated
/// float64 sum of the same micro-batch gradients. The figures are quoted in docs/ARCHITECTURE.md.
@Suite struct ExactStepErrorTests {
    static let config = GPTConfig(nLayer: 6, nHead: 6, nEmbd: 384, blockSize: 256, vocabSize: 8192)  // gpt-small
    static let B = 2, T = 256, micros = 4
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let text = [UInt8](FileManager.default.contents(atPath: root.appendingPathComponent("data/shakespeare/macbeth.txt").path) ?? Data())

    static func batch(_ micro: Int) -> (inputs: [Int32], targets: [Int32]) {
        let first = 5000 + micro * B * (T + 1)
        var inputs: [Int32] = [], targets: [Int32] = []
        for row in 0..<B {
            let start = first + row * (T + 1)
            inputs += text[start..<(start + T)].map { Int32($0) }
            targets += text[(start + 1)...(start + T)].map { Int32($0) }
        }
        return (inputs, targets)
    }

    static func model() -> GPTModel {
        let m = GPTModel(config: config, maxBatch: B, maxSequence: T)
        var rng = SplitMix64(seed: 1337)
        m.initializeWeights(using: &rng)
        return m
    }

    static let scale: Float = 1 / Float(micros * B * T)

    /// Today's Float path on one rank: micro-batches `micros` accumulate in the gradient buffer.
    static func floatRank(_ m: GPTModel, _ micros: Range<Int>) -> [Float] {
        m.zeroGradients()
        for micro in micros {
            let b = batch(micro)
            m.forward(b.inputs, b.targets, batch: B, sequence: T)
            m.backward(lossScale: scale)
        }
        return Array(m.gradients)
    }

    @Test func exactIsCloserToFloat64ThanFloatSumsOnARealStep() {
        #expect(Self.text.count > 5000 + Self.micros * Self.B * (Self.T + 1), "data/shakespeare/macbeth.txt missing")
        let m = Self.model()
        let n = m.layout.totalCount
        // Each micro-batch's own gradient, once: into the exact sum, the float64 reference
        // (TwoSum-compensated) and the 4-rank Float sum (one micro-batch per rank).
        let exact = ExactGradientSum(count: n)
        var sum = [Double](repeating: 0, count: n), c = sum, fourRanks = [Float](repeating: 0, count: n)
        for micro in 0..<Self.micros {
            let b = Self.batch(micro)
            m.zeroGradients()
            m.forward(b.inputs, b.targets, batch: Self.B, sequence: Self.T)
            m.backward(lossScale: Self.scale)
            exact.add(UnsafeBufferPointer(m.gradients), at: 0)
            for i in 0..<n {
                let x = Double(m.gradients[i]), t = sum[i] + x
                c[i] += abs(sum[i]) >= abs(x) ? (sum[i] - t) + x : (x - t) + sum[i]
                sum[i] = t
                fourRanks[i] += m.gradients[i]
            }
        }
        var exactTotal = [Float](repeating: 0, count: n)
        exactTotal.withUnsafeMutableBufferPointer { exact.decode(0..<n, into: $0) }
        let oneRank = Self.floatRank(m, 0..<4)
        let half = Self.floatRank(m, 0..<2), otherHalf = Self.floatRank(m, 2..<4)
        let twoRanks = zip(half, otherHalf).map { $0 + $1 }
        func error(_ g: [Float]) -> (rms: Double, max: Double, worseThanExact: Int) {
            var squares = 0.0, worst = 0.0, worse = 0
            for i in 0..<n {
                let reference = sum[i] + c[i]
                let e = abs(Double(g[i]) - reference)
                if abs(Double(exactTotal[i]) - reference) > e { worse += 1 }
                squares += e * e
                worst = max(worst, e)
            }
            return ((squares / Double(n)).squareRoot(), worst, worse)
        }
        let e = error(exactTotal), floats = [("1 rank", error(oneRank)), ("2 ranks", error(twoRanks)), ("4 ranks", error(fourRanks))]
        #expect(exact.outOfRange == 0)
        for (name, f) in floats {
            #expect(f.worseThanExact == 0 && e.rms <= f.rms && e.max <= f.max, "\(name)")
        }
        let rms = (sum.reduce(0) { $0 + $1 * $1 } / Double(n)).squareRoot()
        print("gpt-small step (\(n) parameters, \(Self.micros) micro-batches of \(Self.B)×\(Self.T), gradient rms \(rms)) vs float64: exact rms \(e.rms) max \(e.max); "
              + floats.map { "float \($0.0) rms \($0.1.rms) max \($0.1.max)" }.joined(separator: "; "))
    }
}
