// Causal multi-head self-attention, straight on the interleaved qkv buffer: q, k, v of head h
// are column blocks at h·HS, C + h·HS and 2C + h·HS of rows with leading dimension 3C, so
// nothing is copied.
//
// qkv is (B, T, 3C); att is (B, NH, T, T) softmax probabilities; out is (B, T, C) with head h
// in columns h·HS..<(h+1)·HS.
//
// Rows are taken in blocks of `attentionBlock` queries: block i only needs keys 0..<end(i), so the
// sgemm calls skip the blocks above the diagonal (at T = 256 they compute 9/16 of the full T×T
// products). Inside a block, entries above the diagonal are zero; entries right of the block's
// keys are never written or read.
//
// The blocks are grouped in panels of `attentionPanel` queries. The keys left of a panel are one
// rectangle that every query of the panel sees whole, so each product takes it in one call with
// m = 128 (OpenBLAS runs m = 32 at 80% of the rate of m ≥ 128 at these shapes); only the keys
// inside the panel go block by block. Which entries are computed is unchanged.

/// Queries per block. 32 rather than 64: less of each diagonal block is wasted above the diagonal,
/// and OpenBLAS runs these small products no slower per FLOP (at T = 256, HS = 64 on AVX-512
/// Zen 4, attention forward and backward take 10–12% less time than with 64; 16 and 128 are slower).
let attentionBlock = 32
/// Queries per panel (a multiple of `attentionBlock`): the row count of the off-diagonal products.
let attentionPanel = 128

/// Where one (batch row, head) pair's vectors sit in the interleaved layout, shared by forward and backward.
struct AttentionShape {
    let T: Int, C: Int, NH: Int
    /// Head size and the qkv rows' leading dimension.
    let HS: Int, C3: Int
    /// The scores' 1/√HS.
    let scale: Float

    init(sequence T: Int, channels C: Int, heads NH: Int) {
        self.T = T; self.C = C; self.NH = NH
        HS = C / NH
        C3 = 3 * C
        scale = 1 / Float(HS).squareRoot()
    }

    /// Offset of head bh % NH of batch row bh / NH in a (B, T, 3C) buffer: its q columns.
    @inline(__always) func qkvOffset(_ bh: Int) -> Int { (bh / NH) * T * C3 + (bh % NH) * HS }
    /// The same head's offset in a (B, T, C) buffer (out, dout).
    @inline(__always) func rowOffset(_ bh: Int) -> Int { (bh / NH) * T * C + (bh % NH) * HS }
}

/// Rows panel..<end of c = p·b, where p is a (T, T) causal matrix (probabilities or their
/// gradient) and b holds one head's vectors: the keys left of the panel in one product, then each
/// block's own keys, added on. Forward's out = att·v and backward's dq = datt·k.
@inline(__always)
private func causalPanelProduct(
    _ p: UnsafePointer<Float>, T: Int, _ b: UnsafePointer<Float>, ldb: Int, HS: Int,
    into c: UnsafeMutablePointer<Float>, ldc: Int, panel: Int, end: Int
) {
    if panel > 0 {
        sgemmOneCall(transA: false, transB: false, m: end - panel, n: HS, k: panel, alpha: 1, a: p + panel * T, lda: T,
                     b: b, ldb: ldb, beta: 0, c: c + panel * ldc, ldc: ldc)
    }
    for first in stride(from: panel, to: end, by: attentionBlock) {
        let keys = min(first + attentionBlock, end)
        sgemmOneCall(transA: false, transB: false, m: keys - first, n: HS, k: keys - panel, alpha: 1, a: p + first * T + panel, lda: T,
                     b: b + panel * ldb, ldb: ldb, beta: panel > 0 ? 1 : 0, c: c + first * ldc, ldc: ldc)
    }
}

/// out = softmax(q·kᵀ/√HS + causal mask)·v; keeps the probabilities in `att` for backward.
func attentionForward(
    out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
    batch B: Int, sequence T: Int, channels C: Int, heads NH: Int
) {
    let shape = AttentionShape(sequence: T, channels: C, heads: NH)
    let HS = shape.HS, C3 = shape.C3, scale = shape.scale
    parallelFor(B * NH) { range in
        for bh in range {
            let q = qkv + shape.qkvOffset(bh), k = q + C, v = q + 2 * C
            let a = att + bh * T * T, o = out + shape.rowOffset(bh)
            for panel in stride(from: 0, to: T, by: attentionPanel) {
                let end = min(panel + attentionPanel, T)
                if panel > 0 {  // scores against the keys left of the panel
                    sgemmOneCall(transA: false, transB: true, m: end - panel, n: panel, k: HS, alpha: scale, a: q + panel * C3, lda: C3,
                                 b: k, ldb: C3, beta: 0, c: a + panel * T, ldc: T)
                }
                for first in stride(from: panel, to: end, by: attentionBlock) {
                    let rows = min(attentionBlock, end - first), keys = first + rows
                    let block = a + first * T
                    sgemmOneCall(transA: false, transB: true, m: rows, n: keys - panel, k: HS, alpha: scale, a: q + first * C3, lda: C3,
                                 b: k + panel * C3, ldb: C3, beta: 0, c: block + panel, ldc: T)
                    for t in first..<keys {
                        let row = a + t * T, n = t + 1
                        let maxv = vectorMax(row, n)
                        for j in 0..<n { row[j] = fastExp(row[j] - maxv) }
                        let inv = 1 / vectorSum(row, n)
                        for j in 0..<n { row[j] *= inv }
                        if n < keys { (row + n).update(repeating: 0, count: keys - n) }
                    }
                }
                causalPanelProduct(a, T: T, v, ldb: C3, HS: HS, into: o, ldc: C, panel: panel, end: end)  // out = att·v
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
    let shape = AttentionShape(sequence: T, channels: C, heads: NH)
    let scale = shape.scale, HS = shape.HS, C3 = shape.C3
    parallelFor(B * NH) { range in
        for bh in range {
            let dq = dqkv + shape.qkvOffset(bh), dk = dq + C, dv = dq + 2 * C
            let q = qkv + shape.qkvOffset(bh), k = q + C, v = q + 2 * C
            let a = att + bh * T * T, da = datt + bh * T * T
            let g = dout + shape.rowOffset(bh)
            for panel in stride(from: 0, to: T, by: attentionPanel) {
                let end = min(panel + attentionPanel, T)
                // datt = dout·vᵀ (left of the panel in one product, then by query blocks), the
                // softmax backward folding in the forward's 1/√HS.
                if panel > 0 {
                    sgemmOneCall(transA: false, transB: true, m: end - panel, n: panel, k: HS, alpha: 1, a: g + panel * C, lda: C,
                                 b: v, ldb: C3, beta: 0, c: da + panel * T, ldc: T)
                }
                for first in stride(from: panel, to: end, by: attentionBlock) {
                    let rows = min(attentionBlock, end - first), keys = first + rows
                    sgemmOneCall(transA: false, transB: true, m: rows, n: keys - panel, k: HS, alpha: 1, a: g + first * C, lda: C,
                                 b: v + panel * C3, ldb: C3, beta: 0, c: da + first * T + panel, ldc: T)
                    for t in first..<keys {
                        let p = a + t * T, d = da + t * T, n = t + 1
                        let dot = vectorDot(p, d, n)
                        for j in 0..<n { d[j] = p[j] * (d[j] - dot) * scale }
                        if n < keys { (d + n).update(repeating: 0, count: keys - n) }
                    }
                }
                causalPanelProduct(da, T: T, k, ldb: C3, HS: HS, into: dq, ldc: C3, panel: panel, end: end)  // dq = datt·k
                // dv = attᵀ·dout and dk = dattᵀ·q: key j gets contributions from queries t ≥ j only.
                // A key block inside the panel is first written from the panel's queries at or
                // after it; the keys left of the panel (written by their own panels) then add
                // this panel's queries in one product each.
                for first in stride(from: panel, to: end, by: attentionBlock) {
                    let cols = min(attentionBlock, end - first), corner = first * T + first
                    sgemmOneCall(transA: true, transB: false, m: cols, n: HS, k: end - first, alpha: 1, a: a + corner, lda: T,
                                 b: g + first * C, ldb: C, beta: 0, c: dv + first * C3, ldc: C3)
                    sgemmOneCall(transA: true, transB: false, m: cols, n: HS, k: end - first, alpha: 1, a: da + corner, lda: T,
                                 b: q + first * C3, ldb: C3, beta: 0, c: dk + first * C3, ldc: C3)
                }
                if panel > 0 {
                    sgemmOneCall(transA: true, transB: false, m: panel, n: HS, k: end - panel, alpha: 1, a: a + panel * T, lda: T,
                                 b: g + panel * C, ldb: C, beta: 1, c: dv, ldc: C3)
                    sgemmOneCall(transA: true, transB: false, m: panel, n: HS, k: end - panel, alpha: 1, a: da + panel * T, lda: T,
                                 b: q + panel * C3, ldb: C3, beta: 1, c: dk, ldc: C3)
                }
            }
        }
    }
}
