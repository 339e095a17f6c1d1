// inp, out are (rows, C); weight, bias are (C); mean, rstd are (rows), saved for backward.

/// Pre-norm LayerNorm with eps 1e-5, as in GPT-2.
func layerNormForward(
    out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
    inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, rows: Int, channels C: Int
) {
    let invC = 1 / Float(C)
    parallelFor(rows) { range in
        for r in range {
            let x = inp + r * C, o = out + r * C
            let m = vectorSum(x, C) * invC
            let s = 1 / (vectorSquaredDeviation(x, C, from: m) * invC + 1e-5).squareRoot()
            for i in 0..<C { o[i] = (x[i] - m) * s * weight[i] + bias[i] }
            mean[r] = m
            rstd[r] = s
        }
    }
}

/// dinp += ∂/∂inp; dweight, dbias += their gradients (column sums in row order, split by column).
func layerNormBackward(
    dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows: Int, channels C: Int
) {
    guard KernelThreads.current > 1 else {
        return layerNormBackwardOnePass(dinp: dinp, dweight: dweight, dbias: dbias, dout: dout, inp: inp, weight: weight,
                                        mean: mean, rstd: rstd, rows: rows, channels: C)
    }
    let invC = 1 / Float(C)
    parallelFor(rows) { range in
        for r in range {
            let x = inp + r * C, g = dout + r * C, dx = dinp + r * C
            let m = mean[r], s = rstd[r]
            // Σ w·g and Σ w·g·(x − m)·s, the latter with s taken out of the sum.
            let sums = vectorWeightedSums(weight, g, x, C, from: m)
            let gMean = sums.0 * invC, gNormMean = sums.1 * s * invC
            for i in 0..<C {
                let norm = (x[i] - m) * s
                dx[i] += (weight[i] * g[i] - gMean - norm * gNormMean) * s
            }
        }
    }
    parallelFor(C) { cols in
        let lo = cols.lowerBound, n = cols.count
        for r in 0..<rows {
            let x = inp + r * C + lo, g = dout + r * C + lo
            let m = mean[r], s = rstd[r]
            let dw = dweight + lo, db = dbias + lo
            for i in 0..<n {
                db[i] += g[i]
                dw[i] += (x[i] - m) * s * g[i]
            }
        }
    }
}
