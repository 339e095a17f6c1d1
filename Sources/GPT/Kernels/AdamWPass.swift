// AdamW's update in one pass over parameters, gradients and both moments, 8 lanes at a time and
// split over the kernel threads. Each lane does the scalar update's operations in the scalar
// update's order (Swift contracts no multiply-add into an FMA), so the result is bit-identical
// to `adamwReference` for any thread count (AdamWPassTests compares `AdamW.update` with
// `AdamW.updateElementwise`).

/// The scalars of one AdamW step.
struct AdamWConstants {
    let beta1: Float, beta2: Float
    /// 1 − β₁ᵗ and 1 − β₂ᵗ, the bias corrections.
    let correction1: Float, correction2: Float
    let lr: Float, eps: Float
    /// lr × weight decay for a decaying tensor, else 0.
    let decay: Float
}

private typealias Lanes = SIMD8<Float>

/// The AdamW update of element `i`: the definition the vectorized pass reproduces.
@inline(__always)
private func adamwElement(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                          _ v: UnsafeMutablePointer<Float>, _ i: Int, _ k: AdamWConstants) {
    let gi = g[i]
    let mi = k.beta1 * m[i] + (1 - k.beta1) * gi
    let vi = k.beta2 * v[i] + (1 - k.beta2) * gi * gi
    m[i] = mi
    v[i] = vi
    let mHat = mi / k.correction1
    let vHat = vi / k.correction2
    p[i] -= k.lr * (mHat / (vHat.squareRoot() + k.eps)) + k.decay * p[i]
}

/// One AdamW step over `range` of the flat buffers, element by element (the reference).
func adamwReference(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                    _ v: UnsafeMutablePointer<Float>, range: Range<Int>, constants k: AdamWConstants) {
    for i in range { adamwElement(p, g, m, v, i, k) }
}

/// One AdamW step over `range` of the flat buffers: each thread takes a contiguous chunk, 8
/// elements at a time, the chunk's tail element by element.
func adamwPass(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
               _ v: UnsafeMutablePointer<Float>, range: Range<Int>, constants k: AdamWConstants) {
    let one = Lanes(repeating: 1)
    let b1 = Lanes(repeating: k.beta1), b2 = Lanes(repeating: k.beta2)
    let c1 = one - b1, c2 = one - b2  // (1 − β) rounded once, as the scalar expression rounds it
    parallelFor(range.count) { chunk in
        var i = range.lowerBound + chunk.lowerBound
        let end = range.lowerBound + chunk.upperBound
        while i + 8 <= end {
            let gi = UnsafeRawPointer(g + i).loadUnaligned(as: Lanes.self)
            let mi = b1 * UnsafeRawPointer(m + i).loadUnaligned(as: Lanes.self) + c1 * gi
            let vi = b2 * UnsafeRawPointer(v + i).loadUnaligned(as: Lanes.self) + c2 * gi * gi
            UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: Lanes.self)
            UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: Lanes.self)
            let mHat = mi / k.correction1, vHat = vi / k.correction2
            let pi = UnsafeRawPointer(p + i).loadUnaligned(as: Lanes.self)
            let step = k.lr * (mHat / (vHat.squareRoot() + k.eps)) + k.decay * pi
            UnsafeMutableRawPointer(p + i).storeBytes(of: pi - step, as: Lanes.self)
            i += 8
        }
        while i < end {
            adamwElement(p, g, m, v, i, k)
            i += 1
        }
    }
}
