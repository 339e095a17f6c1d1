#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Rotary position embeddings exactly as transformers' apply_rotary_pos_emb with rotate_half:
// within each head, element i pairs with element i + HS/2 (non-interleaved halves) and both are
// turned by the angle pos·θ^(-2i/HS):
//   out[i]        = x[i]·cos − x[i + HS/2]·sin
//   out[i + HS/2] = x[i + HS/2]·cos + x[i]·sin
// q and k are the first two C-wide column blocks of packed (rows, 3C) qkv rows; v is untouched.
// cos and sin are (positions, HS/2) tables.

/// Fills cos and sin (positions, HS/2) as transformers' default rotary embedding does in float32:
/// inv_freq = 1/θ^(2i/HS) and angle = pos·inv_freq rounded to Float, then cos and sin of it.
func rotaryTables(cosine: UnsafeMutablePointer<Float>, sine: UnsafeMutablePointer<Float>,
                  positions: Int, headSize HS: Int, theta: Double) {
    let half = HS / 2
    for i in 0..<half {
        let exponent = Double(Float(2 * i) / Float(HS))
        let invFreq = Float(1 / pow(theta, exponent))
        for pos in 0..<positions {
            let angle = Double(Float(pos) * invFreq)
            cosine[pos * half + i] = Float(cos(angle))
            sine[pos * half + i] = Float(sin(angle))
        }
    }
}

/// Rotates q and k of every head of qkv (rows, 3C) in place; row r is at position
/// firstPosition + r % T.
func rotaryForward(
    qkv: UnsafeMutablePointer<Float>, cos: UnsafePointer<Float>, sin: UnsafePointer<Float>,
    rows: Int, sequence T: Int, firstPosition: Int, channels C: Int, heads NH: Int
) {
    rotate(qkv, cos: cos, sin: sin, sign: 1, rows: rows, sequence: T, firstPosition: firstPosition, channels: C, heads: NH)
}

/// The gradient through `rotaryForward`, in place on dqkv (rows, 3C): the inverse rotation
/// (the rotation is orthogonal, so its transpose), which needs no saved input.
func rotaryBackward(
    dqkv: UnsafeMutablePointer<Float>, cos: UnsafePointer<Float>, sin: UnsafePointer<Float>,
    rows: Int, sequence T: Int, channels C: Int, heads NH: Int
) {
    rotate(dqkv, cos: cos, sin: sin, sign: -1, rows: rows, sequence: T, firstPosition: 0, channels: C, heads: NH)
}

/// Turns each (i, i + HS/2) pair of q's and k's heads by sign × the position's angle.
@inline(__always)
private func rotate(
    _ qkv: UnsafeMutablePointer<Float>, cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, sign: Float,
    rows: Int, sequence T: Int, firstPosition: Int, channels C: Int, heads NH: Int
) {
    let HS = C / NH, half = HS / 2
    parallelFor(rows) { range in
        for r in range {
            let pos = firstPosition + r % T
            let c = cos + pos * half, s = sin + pos * half
            // 2·NH heads: q's then k's, contiguous in the row.
            for h in 0..<(2 * NH) {
                let x1 = qkv + r * 3 * C + h * HS, x2 = x1 + half
                for i in 0..<half {
                    let a = x1[i], b = x2[i], si = sign * s[i]
                    x1[i] = a * c[i] - b * si
                    x2[i] = b * c[i] + a * si
                }
            }
        }
    }
}
