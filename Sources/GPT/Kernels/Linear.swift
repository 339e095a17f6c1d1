// Linear layers in nn.Linear layout, no bias: weight is (OC, IC), so forward is inp·Wᵀ (Llama's
// projections and the untied head; GPT-2's Conv1D layers are in Matmul.swift).

/// out (rows, OC) = inp (rows, IC) · weight (OC, IC)ᵀ, or `+=` that when `accumulate` (residual adds).
func linearForward(
    out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    rows: Int, inChannels IC: Int, outChannels OC: Int, accumulate: Bool
) {
    sgemm(transA: false, transB: true, m: rows, n: OC, k: IC, alpha: 1, a: inp, lda: IC,
          b: weight, ldb: IC, beta: accumulate ? 1 : 0, c: out, ldc: OC)
}

/// dinp (rows, IC) = dout·W (overwritten), dweight (OC, IC) += doutᵀ·inp.
func linearBackward(
    dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
    inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, rows: Int, inChannels IC: Int, outChannels OC: Int
) {
    linearBackwardData(dinp: dinp, dout: dout, weight: weight, rows: rows, inChannels: IC, outChannels: OC)
    linearBackwardWeights(dweight: dweight, dout: dout, inp: inp, rows: rows, inChannels: IC, outChannels: OC)
}

/// dinp (rows, IC) = dout·W (overwritten): the first half of `linearBackward`.
func linearBackwardData(
    dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    rows: Int, inChannels IC: Int, outChannels OC: Int
) {
    sgemm(transA: false, transB: false, m: rows, n: IC, k: OC, alpha: 1, a: dout, lda: OC,
          b: weight, ldb: IC, beta: 0, c: dinp, ldc: IC)
}

/// dweight (OC, IC) += doutᵀ·inp: the second half of `linearBackward`.
func linearBackwardWeights(
    dweight: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
    rows: Int, inChannels IC: Int, outChannels OC: Int
) {
    sgemm(transA: true, transB: false, m: OC, n: IC, k: rows, alpha: 1, a: dout, lda: OC,
          b: inp, ldb: IC, beta: 1, c: dweight, ldc: IC)
}
