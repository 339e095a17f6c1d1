import Foundation

/// CPython's `random.Random` for an integer seed: MT19937 seeded by `init_by_array`, with
/// `getrandbits`, `_randbelow` and `sample` drawing the same numbers in the same order, so that
/// few-shot examples are the ones lm-eval draws with `random.Random(1234)`.
public struct PythonRandom {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 624

    /// Seeds as `random.Random(seed)` does: the absolute value's 32-bit words, least significant first.
    public init(seed: Int) {
        var key: [UInt32] = []
        var n = seed.magnitude
        repeat {
            key.append(UInt32(truncatingIfNeeded: n))
            n >>= 32
        } while n > 0
        initByArray(key)
    }

    private mutating func initGenrand(_ s: UInt32) {
        state[0] = s
        for i in 1..<624 {
            state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
        index = 624
    }

    // Mirrors _randommodule.c's init_by_array, whose loop bounds decide every later number.
    private mutating func initByArray(_ key: [UInt32]) {
        initGenrand(19_650_218)
        var i = 1, j = 0
        for _ in 0..<max(624, key.count) {
            state[i] = (state[i] ^ ((state[i - 1] ^ (state[i - 1] >> 30)) &* 1_664_525)) &+ key[j] &+ UInt32(j)
            i += 1; j += 1
            if i >= 624 { state[0] = state[623]; i = 1 }
            if j >= key.count { j = 0 }
        }
        for _ in 0..<623 {
            state[i] = (state[i] ^ ((state[i - 1] ^ (state[i - 1] >> 30)) &* 1_566_083_941)) &- UInt32(i)
            i += 1
            if i >= 624 { state[0] = state[623]; i = 1 }
        }
        state[0] = 0x8000_0000
    }

    private mutating func twist() {
        for k in 0..<624 {
            let y = (state[k] & 0x8000_0000) | (state[(k + 1) % 624] & 0x7FFF_FFFF)
            state[k] = state[(k + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_B0DF)
        }
        index = 0
    }

    /// The next 32-bit output of MT19937 (CPython's genrand_uint32).
    public mutating func nextUInt32() -> UInt32 {
        if index >= 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// `getrandbits(k)` for 1 ≤ k ≤ 32: the top k bits of one output.
    public mutating func randomBits(_ k: Int) -> UInt32 {
        precondition(k >= 1 && k <= 32, "randomBits supports 1...32 bits")
        return nextUInt32() >> UInt32(32 - k)
    }

    /// `_randbelow(n)`: a uniform integer in 0..<n by rejection over n.bit_length() bits.
    public mutating func below(_ n: Int) -> Int {
        precondition(n > 0 && n <= Int(UInt32.max), "below(n) needs 0 < n < 2^32")
        let k = Int.bitWidth - n.leadingZeroBitCount
        var r = Int(randomBits(k))
        while r >= n { r = Int(randomBits(k)) }
        return r
    }

    /// `sample(range(n), k)`: k distinct indices in 0..<n, in the order Python returns them.
    public mutating func sample(count n: Int, _ k: Int) -> [Int] {
        precondition(k >= 0 && k <= n, "sample larger than population or negative")
        var setSize = 21
        if k > 5 { setSize += Int(pow(4, ceil(log(Double(k * 3)) / log(4)))) }
        var result: [Int] = []
        result.reserveCapacity(k)
        if n <= setSize {
            var pool = Array(0..<n)
            for i in 0..<k {
                let j = below(n - i)
                result.append(pool[j])
                pool[j] = pool[n - i - 1]
            }
        } else {
            var selected = Set<Int>()
            for _ in 0..<k {
                var j = below(n)
                while selected.contains(j) { j = below(n) }
                selected.insert(j)
                result.append(j)
            }
        }
        return result
    }
}
