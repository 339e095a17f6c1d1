#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The language-model head tied to wte, fused with its softmax cross-entropy and computed a chunk
// of rows at a time: logits (rows, V) = x (rows, C) · wteᵀ exist only for `chunk` rows at once,
// never for the whole batch (for V = 50257 and 4096 tokens the full matrix would be 785 MiB).
// With targets, each chunk's gradient is taken while its logits are still in cache:
// dlogits = (softmax − onehot(target))·scale, dx = dlogits · wte, dwte += dlogitsᵀ · x: the
// gradients of scale × the summed loss, for backward.

/// logits = x·wteᵀ via sgemm (rows of `x` with stride C, of `logits` with stride V).
func classifierForward(
    logits: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, wte: UnsafePointer<Float>,
    rows: Int, channels C: Int, vocab V: Int
) {
    sgemm(transA: false, transB: true, m: rows, n: V, k: C, alpha: 1, a: x, lda: C,
          b: wte, ldb: C, beta: 0, c: logits, ldc: V)
}

/// Buffers of the fused head for one forward pass.
struct HeadBuffers {
    /// (chunk, V) logits of the current chunk, then their gradient.
    let logits: UnsafeMutablePointer<Float>
    /// Rows per chunk.
    let chunk: Int
    /// (rows) per-token losses (0 where the target is -1).
    let losses: UnsafeMutablePointer<Float>
    /// (rows, C) gradient of scale × the summed loss w.r.t. x; written only when `dwte` is given.
    let dx: UnsafeMutablePointer<Float>
    /// (V, C) gradient of scale × the summed loss w.r.t. wte (overwritten), or nil for the loss alone.
    let dwte: UnsafeMutablePointer<Float>?
    /// The loss scale of the gradients.
    let scale: Float
    /// Where the products and the softmax are timed apart, when profiling.
    var profile: KernelProfile? = nil
    /// False when wte is frozen (LoRA): dx is still taken, the dwte product is skipped.
    var weightGradient = true
}

/// Per-token cross-entropy of x·wteᵀ against `targets` (-1 = ignored) into `head.losses`, and,
/// when `head.dwte` is set, the gradients `head.dx` and `head.dwte`.
func languageModelHead(
    _ head: HeadBuffers, x: UnsafePointer<Float>, wte: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
    rows: Int, channels C: Int, vocab V: Int
) {
    var first = 0
    while first < rows {
        let n = min(head.chunk, rows - first)
        let xs = x + first * C, ts = targets + first, p = head.profile
        // Estimates per chunk: each product reads its operands once and writes its result.
        timed(p, .lmHead, floats: n * C + V * C + n * V, flops: 2 * n * V * C) {
            classifierForward(logits: head.logits, x: xs, wte: wte, rows: n, channels: C, vocab: V)
        }
        if let dwte = head.dwte {
            timed(p, .crossEntropy, floats: 2 * n * V) {
                softmaxCrossEntropyInPlace(logits: head.logits, losses: head.losses + first, targets: ts, rows: n, vocab: V,
                                           scale: head.scale)
            }
            timed(p, .lmHead, floats: 2 * n * V + V * C + 2 * n * C + (first == 0 ? 1 : 2) * V * C, flops: 4 * n * V * C) {
                sgemm(transA: false, transB: false, m: n, n: C, k: V, alpha: 1, a: head.logits, lda: V,
                      b: wte, ldb: C, beta: 0, c: head.dx + first * C, ldc: C)
                if head.weightGradient {
                    sgemm(transA: true, transB: false, m: V, n: C, k: n, alpha: 1, a: head.logits, lda: V,
                          b: xs, ldb: C, beta: first == 0 ? 0 : 1, c: dwte, ldc: C)
                }
            }
        } else {
            timed(p, .crossEntropy, floats: n * V) {
                crossEntropy(logits: head.logits, losses: head.losses + first, targets: ts, rows: n, vocab: V)
            }
        }
        first += n
    }
}

/// Per row: loss = log Σ exp(logits) − logits[target] (0 where target is -1).
func crossEntropy(
    logits: UnsafePointer<Float>, losses: UnsafeMutablePointer<Float>, targets: UnsafePointer<Int32>,
    rows: Int, vocab V: Int
) {
    parallelFor(rows) { range in
        for r in range {
            let row = logits + r * V, target = Int(targets[r])
            guard target >= 0 else { losses[r] = 0; continue }
            let maxv = vectorMax(row, V)
            losses[r] = maxv + logf(expSum(row, V, shift: maxv)) - row[target]
        }
    }
}

/// Per row: the loss as `crossEntropy` does, and the row overwritten with its gradient times
/// `scale`, (softmax − onehot(target))·scale (zero where target is -1).
func softmaxCrossEntropyInPlace(
    logits: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Float>, targets: UnsafePointer<Int32>,
    rows: Int, vocab V: Int, scale: Float
) {
    parallelFor(rows) { range in
        for r in range {
            let row = logits + r * V, target = Int(targets[r])
            guard target >= 0 else {
                losses[r] = 0
                row.update(repeating: 0, count: V)
                continue
            }
            let maxv = vectorMax(row, V)
            let targetLogit = row[target]
            // One pass of exponentials, summed block by block exactly as expSum does, so that
            // both paths give the same loss; then the probabilities times scale.
            var sum: Float = 0
            var i = 0
            while i < V {
                let m = min(256, V - i), block = row + i
                for k in 0..<m { block[k] = fastExp(block[k] - maxv) }
                sum += vectorSum(block, m)
                i += m
            }
            losses[r] = maxv + logf(sum) - targetLogit
            let factor = scale / sum
            for j in 0..<V { row[j] *= factor }
            row[target] -= scale
        }
    }
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
