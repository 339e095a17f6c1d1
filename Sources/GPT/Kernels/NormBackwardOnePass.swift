// The norms' backward in one pass over the rows, for one kernel thread. The threaded versions
// (LayerNorm.swift, RMSNorm.swift) take the input gradient by rows and the weight gradient by
// columns, so each reads inp and dout twice. With one thread, a single sweep in row order can do
// both: each column of dweight (and dbias) is still summed in row order, with the same
// expressions, so the results are bit-identical to the two-pass kernels
// (ThreadCountIndependenceTests compares 1 thread with 2–4 on a whole step).

/// `layerNormBackward` on one thread, reading each row of inp and dout once.
func layerNormBackwardOnePass(
    dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows: Int, channels C: Int
) {
    let invC = 1 / Float(C)
    for r in 0..<rows {
        let x = inp + r * C, g = dout + r * C, dx = dinp + r * C
        let m = mean[r], s = rstd[r]
        let sums = vectorWeightedSums(weight, g, x, C, from: m)
        let gMean = sums.0 * invC, gNormMean = sums.1 * s * invC
        for i in 0..<C {
            // dinp never aliases dout here, so the order of these updates cannot change a bit.
            dbias[i] += g[i]
            let norm = (x[i] - m) * s
            dweight[i] += norm * g[i]
            dx[i] += (weight[i] * g[i] - gMean - norm * gNormMean) * s
        }
    }
}

/// `rmsNormBackward` on one thread, reading each row of inp and dout once (each row's weight
/// gradient is taken before its dinp is written, so `dinp` may be `dout` as there).
func rmsNormBackwardOnePass(
    dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
    inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
    rows: Int, channels C: Int, accumulate: Bool, groups: Int, stride: Int
) {
    let invC = 1 / Float(C)
    for r in 0..<rows {
        let start = rowStart(r, C, groups, stride)
        let x = inp + start, g = dout + start, dx = dinp + start, s = rstd[r]
        for i in 0..<C { dweight[i] += x[i] * s * g[i] }
        let k = vectorWeightedSums(weight, g, x, C, from: 0).1 * s * s * invC
        if accumulate {
            for i in 0..<C { dx[i] += s * (weight[i] * g[i] - x[i] * k) }
        } else {
            for i in 0..<C { dx[i] = s * (weight[i] * g[i] - x[i] * k) }
        }
    }
}
