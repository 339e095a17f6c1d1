import CBLAS

// Linear layers in Conv1D layout: weight is (IC, OC), so forward is inp·W + bias with no transpose.

/// out (rows, OC) = inp (rows, IC) · weight (IC, OC) + bias (OC), or `+=` that when `accumulate`,
/// or residual (rows, OC) + that when `residual` is given (`accumulate` is then not looked at).
///
/// Accumulating is how residual adds are done: out already holds the residual stream. With
/// `residual`, out is first written as residual + bias in one pass (the same sums as copying the
/// stream and then adding the bias), then sgemm adds the product.
func matmulForward(
    out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>? = nil, rows: Int, inChannels IC: Int, outChannels OC: Int,
    accumulate: Bool
) {
    parallelFor(rows) { range in
        for r in range {
            let o = out + r * OC
            if let residual {
                let x = residual + r * OC
                if let bias {
                    for j in 0..<OC { o[j] = x[j] + bias[j] }
                } else {
                    o.update(from: x, count: OC)
                }
            } else if let bias {
                if accumulate {
                    for j in 0..<OC { o[j] += bias[j] }
                } else {
                    for j in 0..<OC { o[j] = bias[j] }
                }
            } else if !accumulate {
                o.update(repeating: 0, count: OC)
            }
        }
    }
    sgemm(transA: false, transB: false, m: rows, n: OC, k: IC, alpha: 1, a: inp, lda: IC,
          b: weight, ldb: OC, beta: 1, c: out, ldc: OC)
}

/// dinp = dout·Wᵀ (overwritten), dweight += inpᵀ·dout, dbias += column sums of dout.
func matmulBackward(
    dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?,
    dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    rows: Int, inChannels IC: Int, outChannels OC: Int
) {
    matmulBackwardData(dinp: dinp, dout: dout, weight: weight, rows: rows, inChannels: IC, outChannels: OC)
    matmulBackwardWeights(dweight: dweight, dbias: dbias, dout: dout, inp: inp, rows: rows, inChannels: IC, outChannels: OC)
}

/// dinp (rows, IC) = dout·Wᵀ (overwritten): the first half of `matmulBackward`.
func matmulBackwardData(
    dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    rows: Int, inChannels IC: Int, outChannels OC: Int
) {
    sgemm(transA: false, transB: true, m: rows, n: IC, k: OC, alpha: 1, a: dout, lda: OC,
          b: weight, ldb: OC, beta: 0, c: dinp, ldc: IC)
}

/// dweight (IC, OC) += inpᵀ·dout, dbias += column sums of dout: the second half of `matmulBackward`.
func matmulBackwardWeights(
    dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
    inp: UnsafePointer<Float>, rows: Int, inChannels IC: Int, outChannels OC: Int
) {
    sgemm(transA: true, transB: false, m: IC, n: OC, k: rows, alpha: 1, a: inp, lda: IC,
          b: dout, ldb: OC, beta: 1, c: dweight, ldc: OC)
    if let dbias { addColumnSums(into: dbias, of: dout, rows: rows, columns: OC) }
}

/// sums (columns) += Σ_r m[r, :], each column summed in row order so any split by column is exact.
func addColumnSums(into sums: UnsafeMutablePointer<Float>, of m: UnsafePointer<Float>, rows: Int, columns: Int) {
    parallelFor(columns) { cols in
        let s = sums + cols.lowerBound, n = cols.count
        for r in 0..<rows {
            let row = m + r * columns + cols.lowerBound
            for j in 0..<n { s[j] += row[j] }
        }
    }
}
