import Foundation
import Collectives
import ExactSum
import Testing

@Suite struct ExactDoubleSumsTests {
    @Test func cancellationAndExtremesAreExact() {
        var s = ExactDoubleSums(count: 4)
        for v in [1e308, 1, -1e308] { s.add(v, at: 0) }
        for _ in 0..<10 { s.add(0.1, at: 1) }
        s.add(Double.leastNonzeroMagnitude, at: 2)
        s.add(-3.5, at: 3)
        #expect(s.value(at: 0) == 1)
        // 0.1 is 0x1.999999999999ap-4; ten of them sum to 1 + 5.55e-17, which rounds to 1.
        #expect(s.value(at: 1) == 1)
        #expect(s.value(at: 2) == Double.leastNonzeroMagnitude)
        #expect(s.value(at: 3) == -3.5)
    }

    @Test func specialsPropagate() {
        var s = ExactDoubleSums(count: 3)
        s.add(.nan, at: 0); s.add(1, at: 0)
        s.add(.infinity, at: 1); s.add(-5, at: 1)
        s.add(.infinity, at: 2); s.add(-.infinity, at: 2)
        #expect(s.value(at: 0).isNaN && s.value(at: 1) == .infinity && s.value(at: 2).isNaN)
    }

    /// The same values spread over "ranks" in any way give the same bits.
    @Test func placementDoesNotChangeTheBits() {
        var rng = Seeded(state: 7)
        let values = (0..<600).map { _ in Double.random(in: -1...1, using: &rng) * pow(10, Double.random(in: -8...8, using: &rng)) }
        func placed(_ parts: [Range<Int>]) -> [Double] {
            var total = ExactDoubleSums(count: 2)
            for part in parts.reversed() {
                var rank = ExactDoubleSums(count: 2)
                for i in part { rank.add(values[i], at: 0); rank.add(values[i] * values[i], at: 1) }
                total.add(rank)
            }
            return total.values
        }
        let one = placed([0..<600])
        #expect(placed([0..<300, 300..<600]) == one)
        #expect(placed([0..<200, 200..<400, 400..<600]) == one)
        #expect(placed([0..<50, 50..<400, 400..<401, 401..<600]) == one)
        var naive = 0.0
        for v in values.reversed() { naive += v }
        print("600 values: exact sum \(one[0]), reversed Double sum \(naive)")
    }

    @Test func worldOfOneExactSumIsCorrectlyRounded() throws {
        let comm = LocalCommunicator()
        #expect(try comm.exactSum([0.5, -2, 1e-300]) == [0.5, -2, 1e-300])
    }
}
