// Max, sums and dot products over a row in 16 lanes. LLVM does not vectorize Float reductions by
// itself (it may not reorder additions), so the order is spelled out: lane i accumulates elements
// i, i+16, …; the lanes are then combined and the tail added in order. The order depends only on
// the row length, so results stay the same for any thread split.

private typealias Lanes = SIMD16<Float>

@inline(__always)
private func lanes(_ p: UnsafePointer<Float>, _ i: Int) -> Lanes {
    UnsafeRawPointer(p + i).loadUnaligned(as: Lanes.self)
}

/// max of p[0..<n], n ≥ 1.
@inline(__always)
func vectorMax(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = Lanes(repeating: -.infinity)
    var i = 0
    while i + 16 <= n {
        // A compare and a blend; pointwiseMax's NaN rules compile to a scalar loop per lane.
        let v = lanes(p, i)
        acc = acc.replacing(with: v, where: v .> acc)
        i += 16
    }
    var m = acc.max()
    while i < n {
        m = max(m, p[i])
        i += 1
    }
    return m
}

/// Σ p[0..<n].
@inline(__always)
func vectorSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = Lanes()
    var i = 0
    while i + 16 <= n {
        acc += lanes(p, i)
        i += 16
    }
    var s = acc.sum()
    while i < n {
        s += p[i]
        i += 1
    }
    return s
}

/// Σ a[j]·b[j] over j < n.
@inline(__always)
func vectorDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = Lanes()
    var i = 0
    while i + 16 <= n {
        acc += lanes(a, i) * lanes(b, i)
        i += 16
    }
    var s = acc.sum()
    while i < n {
        s += a[i] * b[i]
        i += 1
    }
    return s
}

/// Σ (p[j] − m)² over j < n.
@inline(__always)
func vectorSquaredDeviation(_ p: UnsafePointer<Float>, _ n: Int, from m: Float) -> Float {
    var acc = Lanes()
    let mean = Lanes(repeating: m)
    var i = 0
    while i + 16 <= n {
        let d = lanes(p, i) - mean
        acc += d * d
        i += 16
    }
    var s = acc.sum()
    while i < n {
        s += (p[i] - m) * (p[i] - m)
        i += 1
    }
    return s
}

/// (Σ w[j]·g[j], Σ w[j]·g[j]·(x[j] − m)) over j < n, in 16 lanes each.
@inline(__always)
func vectorWeightedSums(
    _ w: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, from m: Float
) -> (Float, Float) {
    var a = Lanes(), b = Lanes()
    let mean = Lanes(repeating: m)
    var i = 0
    while i + 16 <= n {
        let wg = lanes(w, i) * lanes(g, i)
        a += wg
        b += wg * (lanes(x, i) - mean)
        i += 16
    }
    var sa = a.sum(), sb = b.sum()
    while i < n {
        let wg = w[i] * g[i]
        sa += wg
        sb += wg * (x[i] - m)
        i += 1
    }
    return (sa, sb)
}

/// p[0..<n] *= s.
@inline(__always)
func scale(_ p: UnsafeMutablePointer<Float>, count n: Int, by s: Float) {
    for i in 0..<n { p[i] *= s }
}

/// y[0..<n] += s · x[0..<n] (plain sums when s is 1).
@inline(__always)
func addScaled(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count n: Int, scale s: Float) {
    if s == 1 {
        for i in 0..<n { y[i] += x[i] }
    } else {
        for i in 0..<n { y[i] += s * x[i] }
    }
}
