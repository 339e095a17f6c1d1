// Causal multi-head self-attention, straight on the interleaved qkv buffer: q, k, v of head h
// are column blocks at h·HS, C + h·HS and 2C + h·HS of rows with leading dimension 3C, so
// nothing is copied.
//
// qkv is (B, T, 3C); att is (B, NH, T, T) softmax probabilities; out is (B, T, C) with head h
// in columns h·HS..<(h+1)·HS.
//
// Rows are taken in blocks of `attentionBlock` queries: block i only needs keys 0..<end(i), so the
// sgemm calls skip the blocks above the diagonal (at T = 256, 5/8 of the full T×T work). Inside
// a block, entries above the diagonal are zero; entries right of the block's keys are never
// written or read.

/// Queries per block.
let attentionBlock = 64

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
            for first in stride(from: 0, to: T, by: attentionBlock) {
                let rows = min(attentionBlock, T - first), keys = first + rows
                let block = a + first * T
                sgemm(transA: false, transB: true, m: rows, n: keys, k: HS, alpha: scale, a: q + first * C3, lda: C3,
                      b: k, ldb: C3, beta: 0, c: block, ldc: T)
                for t in first..<keys {
                    let row = a + t * T, n = t + 1
                    let maxv = vectorMax(row, n)
                    for j in 0..<n { row[j] = fastExp(row[j] - maxv) }
                    let inv = 1 / vectorSum(row, n)
                    for j in 0..<n { row[j] *= inv }
                    if n < keys { (row + n).update(repeating: 0, count: keys - n) }
                }
                sgemm(transA: false, transB: false, m: rows, n: HS, k: keys, alpha: 1, a: block, lda: T,
                      b: v, ldb: C3, beta: 0, c: out + (b * T + first) * C + h * HS, ldc: C)
            }
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
            // By query blocks: datt = dout·vᵀ, the softmax backward, dq = datt·k.
            for first in stride(from: 0, to: T, by: attentionBlock) {
                let rows = min(attentionBlock, T - first), keys = first + rows
                sgemm(transA: false, transB: true, m: rows, n: keys, k: HS, alpha: 1, a: g + first * C, lda: C,
                      b: v, ldb: C3, beta: 0, c: da + first * T, ldc: T)
                // Softmax backward, folding in the 1/√HS of the forward scores.
                for t in first..<keys {
                    let p = a + t * T, d = da + t * T, n = t + 1
                    let dot = vectorDot(p, d, n)
                    for j in 0..<n { d[j] = p[j] * (d[j] - dot) * scale }
                    if n < keys { (d + n).update(repeating: 0, count: keys - n) }
                }
                sgemm(transA: false, transB: false, m: rows, n: HS, k: keys, alpha: 1, a: da + first * T, lda: T,
                      b: k, ldb: C3, beta: 0, c: dq + first * C3, ldc: C3)
            }
            // By key blocks: key j gets contributions from queries t ≥ j only.
            // dv = attᵀ·dout and dk = dattᵀ·q over the queries from the block's first key on.
            for first in stride(from: 0, to: T, by: attentionBlock) {
                let cols = min(attentionBlock, T - first), queries = T - first
                let corner = first * T + first
                sgemm(transA: true, transB: false, m: cols, n: HS, k: queries, alpha: 1, a: a + corner, lda: T,
                      b: g + first * C, ldb: C, beta: 0, c: dv + first * C3, ldc: C3)
                sgemm(transA: true, transB: false, m: cols, n: HS, k: queries, alpha: 1, a: da + corner, lda: T,
                      b: q + first * C3, ldb: C3, beta: 0, c: dk + first * C3, ldc: C3)
            }
        }
    }
}
