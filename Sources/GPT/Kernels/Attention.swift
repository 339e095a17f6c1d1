// Causal multi-head self-attention, one pair of sgemm calls per (batch, head) straight on
// the interleaved qkv buffer: q, k, v of head h are column blocks at h·HS, C + h·HS and
// 2C + h·HS of rows with leading dimension 3C, so nothing is copied.
//
// qkv is (B, T, 3C); att is (B, NH, T, T) softmax probabilities (zero above the diagonal);
// out is (B, T, C) with head h in columns h·HS..<(h+1)·HS.

/// out = softmax(q·kᵀ/√HS + causal mask)·v; keeps the probabilities in `att` for backward.
func attentionForward(
    out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
    batch B: Int, sequence T: Int, channels C: Int, heads NH: Int
) {
    let HS = C / NH, C3 = 3 * C
    let scale = 1 / Float(HS).squareRoot()
    parallelForSingleThreadedBLAS(B * NH) { range in
        for bh in range {
            let b = bh / NH, h = bh % NH
            let q = qkv + b * T * C3 + h * HS, k = q + C, v = q + 2 * C
            let a = att + bh * T * T
            // The upper triangle is computed and then overwritten: cheaper than T small calls.
            sgemm(transA: false, transB: true, m: T, n: T, k: HS, alpha: scale, a: q, lda: C3,
                  b: k, ldb: C3, beta: 0, c: a, ldc: T)
            for t in 0..<T {
                let row = a + t * T, n = t + 1
                let maxv = vectorMax(row, n)
                for j in 0..<n { row[j] = fastExp(row[j] - maxv) }
                let inv = 1 / vectorSum(row, n)
                for j in 0...t { row[j] *= inv }
                if t + 1 < T { (row + t + 1).update(repeating: 0, count: T - t - 1) }
            }
            sgemm(transA: false, transB: false, m: T, n: HS, k: T, alpha: 1, a: a, lda: T,
                  b: v, ldb: C3, beta: 0, c: out + b * T * C + h * HS, ldc: C)
        }
    }
}

/// dqkv = gradient of `out` w.r.t. qkv (overwritten: each (b, h) block is written once).
/// `datt` is (B, NH, T, T) scratch.
func attentionBackward(
    dqkv: UnsafeMutablePointer<Float>, datt: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
    qkv: UnsafePointer<Float>, att: UnsafePointer<Float>,
    batch B: Int, sequence T: Int, channels C: Int, heads NH: Int
) {
    let HS = C / NH, C3 = 3 * C
    let scale = 1 / Float(HS).squareRoot()
    parallelForSingleThreadedBLAS(B * NH) { range in
        for bh in range {
            let b = bh / NH, h = bh % NH
            let q = qkv + b * T * C3 + h * HS, k = q + C, v = q + 2 * C
            let dq = dqkv + b * T * C3 + h * HS, dk = dq + C, dv = dq + 2 * C
            let a = att + bh * T * T, da = datt + bh * T * T
            let g = dout + b * T * C + h * HS
            sgemm(transA: false, transB: true, m: T, n: T, k: HS, alpha: 1, a: g, lda: C,
                  b: v, ldb: C3, beta: 0, c: da, ldc: T)
            sgemm(transA: true, transB: false, m: T, n: HS, k: T, alpha: 1, a: a, lda: T,
                  b: g, ldb: C, beta: 0, c: dv, ldc: C3)
            // Softmax backward, folding in the 1/√HS of the forward scores.
            for t in 0..<T {
                let p = a + t * T, d = da + t * T
                let dot = vectorDot(p, d, t + 1)
                for j in 0...t { d[j] = p[j] * (d[j] - dot) * scale }
                if t + 1 < T { (d + t + 1).update(repeating: 0, count: T - t - 1) }
            }
            sgemm(transA: false, transB: false, m: T, n: HS, k: T, alpha: 1, a: da, lda: T,
                  b: k, ldb: C3, beta: 0, c: dq, ldc: C3)
            sgemm(transA: true, transB: false, m: T, n: HS, k: T, alpha: 1, a: da, lda: T,
                  b: q, ldb: C3, beta: 0, c: dk, ldc: C3)
        }
    }
}
