// RMSNorm as transformers' LlamaRMSNorm: out = inp · rstd · weight, rstd = 1/√(mean(inp²) + eps).
//
// Rows are C values each. `groups` rows share one line of `stride` floats: row r starts at
// (r / groups)·stride + (r % groups)·C. The block norms use groups 1, stride C; Qwen3's q_norm
// and k_norm normalize each head (C = HS) of the packed qkv rows (groups NH, stride 3C).

/// Float offset of row `r` in a buffer of lines of `stride` floats holding `groups` rows each.
@inline(__always)
func rowStart(_ r: Int, _ C: Int, _ groups: Int, _ stride: Int) -> Int {
    (r / groups) * stride + (r % groups) * C
}

/// out = inp · rstd · weight per row; rstd (rows) is saved for backward. `out` may be `inp`.
func rmsNormForward(
    out: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
    weight: UnsafePointer<Float>, rows: Int, channels C: Int, eps: Float, groups: Int = 1, stride: Int? = nil
) {
    let stride = stride ?? C, invC = 1 / Float(C)
    parallelFor(rows) { range in
        for r in range {
            let start = rowStart(r, C, groups, stride)
            let x = inp + start, o = out + start
            let s = 1 / (vectorDot(x, x, C) * invC + eps).squareRoot()
            for i in 0..<C { o[i] = x[i] * s * weight[i] }
            rstd[r] = s
        }
    }
}

/// dweight += Σ_rows g·inp·rstd (column sums in row order, split by column); then dinp += (or,
/// when `accumulate` is false, =) ∂/∂inp. With `accumulate` false, `dinp` may be `dout`: the
/// weight gradient is taken first and each row reads its dout before overwriting it.
func rmsNormBackward(
    dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
    inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
    rows: Int, channels C: Int, accumulate: Bool, groups: Int = 1, stride: Int? = nil
) {
    let stride = stride ?? C, invC = 1 / Float(C)
    guard KernelThreads.current > 1 else {
        return rmsNormBackwardOnePass(dinp: dinp, dweight: dweight, dout: dout, inp: inp, weight: weight, rstd: rstd, rows: rows,
                                      channels: C, accumulate: accumulate, groups: groups, stride: stride)
    }
    parallelFor(C) { cols in
        let lo = cols.lowerBound, n = cols.count, dw = dweight + lo
        for r in 0..<rows {
            let start = rowStart(r, C, groups, stride) + lo
            let x = inp + start, g = dout + start, s = rstd[r]
            for i in 0..<n { dw[i] += x[i] * s * g[i] }
        }
    }
    parallelFor(rows) { range in
        for r in range {
            let start = rowStart(r, C, groups, stride)
            let x = inp + start, g = dout + start, dx = dinp + start, s = rstd[r]
            // dx_j = s·(w_j·g_j − x_j·s²·Σ_i w_i·g_i·x_i / C)
            let k = vectorWeightedSums(weight, g, x, C, from: 0).1 * s * s * invC
            if accumulate {
                for i in 0..<C { dx[i] += s * (weight[i] * g[i] - x[i] * k) }
            } else {
                for i in 0..<C { dx[i] = s * (weight[i] * g[i] - x[i] * k) }
            }
        }
    }
}
