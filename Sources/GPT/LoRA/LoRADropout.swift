// Dropout on the adapter's input with a mask that is a pure function of (seed, step, the row's
// sample stream position, the adapted projection, the token position, the feature): the same
// sample gets the same mask on any rank, thread count or micro-batch split, and backward
// recomputes the mask instead of storing it.

/// The key of one training micro-batch's dropout masks.
public struct LoRADropoutKey: Sendable, Equatable {
    /// The training seed.
    public var seed: UInt64
    /// The optimizer step.
    public var step: Int
    /// The sample stream position of each batch row.
    public var positions: [Int]

    public init(seed: UInt64, step: Int, positions: [Int]) {
        self.seed = seed
        self.step = step
        self.positions = positions
    }
}

/// SplitMix64's finalizer: a bijective mix of 64 bits.
@inline(__always)
func loraMix(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// Writes (rows, width) `out` = `inp` with each element kept with probability 1 − p and scaled
/// by 1 / (1 − p), or zeroed; row i is token i % sequence of batch row i / sequence. With
/// `multiply` false, `out` is updated as out += inp ⊙ mask (backward's dx).
func loraDropout(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, key: LoRADropoutKey, slot: Int,
                 rows: Int, sequence T: Int, width: Int, probability p: Double, accumulate: Bool) {
    let threshold = UInt64(p * 16_777_216)  // compared with 24 random bits
    let keep = Float(1 / (1 - p))
    let base = loraMix(loraMix(key.seed) ^ UInt64(truncatingIfNeeded: key.step))
    parallelFor(rows) { range in
        for r in range {
            let position = UInt64(truncatingIfNeeded: key.positions[r / T])
            let row = loraMix(loraMix(base ^ position) ^ (UInt64(slot) << 32 | UInt64(r % T)))
            let o = out + r * width, x = inp + r * width
            for j in 0..<width {
                let m: Float = loraMix(row ^ UInt64(j)) >> 40 >= threshold ? keep : 0
                if accumulate { o[j] += x[j] * m } else { o[j] = x[j] * m }
            }
        }
    }
}
