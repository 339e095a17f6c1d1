/// Global-norm gradient clipping over the flat gradient buffer.
public enum GradientClipping {
    /// √(Σ g²), accumulated in Double in a fixed lane order, so it is deterministic.
    public static func globalNorm(_ grads: UnsafeBufferPointer<Float>) -> Float {
        Float(sumOfSquares(grads).squareRoot())
    }

    /// Σ g² in Double over eight fixed lanes (so the loop vectorizes while the summation order
    /// stays fixed), then the lanes in order, then the tail: deterministic for one buffer, but its
    /// rounding depends on where the buffer starts and ends (ZeRO-1's exact norm does not).
    public static func sumOfSquares(_ grads: UnsafeBufferPointer<Float>) -> Double {
        let n = grads.count
        guard n > 0 else { return 0 }
        let g = grads.baseAddress!
        var lanes = SIMD8<Double>(repeating: 0)
        var i = 0
        while i + 8 <= n {
            let x = SIMD8<Double>(SIMD8<Float>(UnsafeBufferPointer(start: g + i, count: 8)))
            lanes += x * x
            i += 8
        }
        var total = 0.0
        for lane in 0..<8 { total += lanes[lane] }
        while i < n {
            let x = Double(g[i])
            total += x * x
            i += 1
        }
        return total
    }

    /// √(Σ g²) of a mutable buffer (e.g. `model.gradients`).
    public static func globalNorm(_ grads: UnsafeMutableBufferPointer<Float>) -> Float {
        globalNorm(UnsafeBufferPointer(grads))
    }

    /// Scales `grads` in place by maxNorm/norm when norm > maxNorm; maxNorm ≤ 0 disables it.
    /// Returns the norm before clipping and the scale applied (1 when not clipped).
    @discardableResult
    public static func clip(_ grads: UnsafeMutableBufferPointer<Float>, maxNorm: Float) -> (norm: Float, scale: Float) {
        clip([grads], maxNorm: maxNorm)
    }

    /// Clips several buffers (a model's gradients and a head's) as one vector: their joint norm is
    /// √(Σ norm²) of the buffers' own norms. A non-finite norm scales nothing (the step is skipped).
    @discardableResult
    public static func clip(_ buffers: [UnsafeMutableBufferPointer<Float>], maxNorm: Float) -> (norm: Float, scale: Float) {
        // One buffer's norm comes out unchanged: √(a²) is exact for a Float a held in a Double.
        let squares = buffers.reduce(0.0) { total, b in
            let n = Double(globalNorm(b))
            return total + n * n
        }
        let norm = Float(squares.squareRoot())
        guard maxNorm > 0, norm > maxNorm, norm.isFinite else { return (norm, 1) }
        let scale = maxNorm / norm
        for grads in buffers { multiply(grads, by: scale) }
        return (norm, scale)
    }

    /// The clipping scale for a norm computed elsewhere (ZeRO-1 sums it over shards): maxNorm/norm
    /// when norm > maxNorm and finite, else 1 (maxNorm ≤ 0 disables clipping).
    public static func scale(norm: Float, maxNorm: Float) -> Float {
        guard maxNorm > 0, norm > maxNorm, norm.isFinite else { return 1 }
        return maxNorm / norm
    }

    /// g ← g · scale for every element, as `clip` scales.
    public static func multiply(_ grads: UnsafeMutableBufferPointer<Float>, by scale: Float) {
        guard let g = grads.baseAddress else { return }
        for i in 0..<grads.count { g[i] *= scale }
    }
}
