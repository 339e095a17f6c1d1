#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The classifier head tied to wte: logits (rows, V) = x (rows, C) · wteᵀ, and a softmax
// cross-entropy computed through log-sum-exp so no probability is ever stored.

/// logits = x·wteᵀ via sgemm.
func classifierForward(
    logits: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, wte: UnsafePointer<Float>,
    rows: Int, channels C: Int, vocab V: Int
) {
    sgemm(transA: false, transB: true, m: rows, n: V, k: C, alpha: 1, a: x, lda: C,
          b: wte, ldb: C, beta: 0, c: logits, ldc: V)
}

/// Per row: lse = log Σ exp(logits) and loss = lse − logits[target] (0 where target is -1).
func crossEntropyForward(
    losses: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>,
    logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, rows: Int, vocab V: Int
) {
    parallelFor(rows) { range in
        for r in range {
            let row = logits + r * V
            let maxv = vectorMax(row, V)
            let sum = expSum(row, V, shift: maxv)
            let l = maxv + logf(sum)
            lse[r] = l
            let target = Int(targets[r])
            losses[r] = target < 0 ? 0 : l - row[target]
        }
    }
}

/// Overwrites logits with dloss/dlogits = (softmax − onehot(target))·lossScale; ignored rows get 0.
func crossEntropyBackwardInPlace(
    logits: UnsafeMutablePointer<Float>, lse: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
    lossScale: Float, rows: Int, vocab V: Int
) {
    parallelFor(rows) { range in
        for r in range {
            let row = logits + r * V
            let target = Int(targets[r])
            if target < 0 {
                row.update(repeating: 0, count: V)
                continue
            }
            let l = lse[r]
            let pt = fastExp(row[target] - l)
            for j in 0..<V { row[j] = fastExp(row[j] - l) * lossScale }
            row[target] = (pt - 1) * lossScale
        }
    }
}

/// dx = dlogits·wte (overwritten) and dwte += dlogitsᵀ·x, both via sgemm.
func classifierBackward(
    dx: UnsafeMutablePointer<Float>, dwte: UnsafeMutablePointer<Float>, dlogits: UnsafePointer<Float>,
    x: UnsafePointer<Float>, wte: UnsafePointer<Float>, rows: Int, channels C: Int, vocab V: Int
) {
    sgemm(transA: false, transB: false, m: rows, n: C, k: V, alpha: 1, a: dlogits, lda: V,
          b: wte, ldb: C, beta: 0, c: dx, ldc: C)
    sgemm(transA: true, transB: false, m: V, n: C, k: rows, alpha: 1, a: dlogits, lda: V,
          b: x, ldb: C, beta: 1, c: dwte, ldc: C)
}

/// Σ exp(p[j] − shift) over j < n without storing into p: blocks of 256 exponentials go to a
/// stack buffer (a plain loop there vectorizes), then are summed in 16 lanes (see vectorSum).
@inline(__always)
private func expSum(_ p: UnsafePointer<Float>, _ n: Int, shift: Float) -> Float {
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 256) { tmp in
        let t = tmp.baseAddress!
        var s: Float = 0
        var i = 0
        while i < n {
            let m = min(256, n - i)
            for k in 0..<m { t[k] = fastExp(p[i + k] - shift) }
            s += vectorSum(t, m)
            i += m
        }
        return s
    }
}
