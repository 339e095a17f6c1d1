// The trunks' kernel calls go through these when they need more than one row of the profile
// (a GEMM's backward is two products, timed apart) or an estimate longer than a line. Each
// calls the same kernel with the same arguments, so the numbers are the same with or without
// a profile. Sizes in floats; FLOPs are 2·m·n·k per product.

extension GPTModel {
    /// `body`, timed into `profile` as `kernel` when profiling (see `KernelProfile`).
    @inline(__always)
    func timed(_ kernel: ProfiledKernel, floats: @autoclosure () -> Int, flops: @autoclosure () -> Int = 0, _ body: () -> Void) {
        GPT.timed(profile, kernel, floats: floats(), flops: flops(), body)
    }

    /// `matmulForward`, timed (with a residual, it is read once as out would be when accumulating).
    func timedMatmulForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                            bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>? = nil,
                            rows: Int, inChannels IC: Int, outChannels OC: Int, accumulate: Bool) {
        let readsOut = accumulate || residual != nil
        timed(.matmulForward, floats: rows * IC + IC * OC + OC + rows * OC * (readsOut ? 2 : 1), flops: 2 * rows * IC * OC) {
            matmulForward(out: out, inp: inp, weight: weight, bias: bias, residual: residual, rows: rows, inChannels: IC,
                          outChannels: OC, accumulate: accumulate)
        }
    }

    /// `matmulBackward`, its two products timed apart (the bias's column sums count with the weights).
    func timedMatmulBackward(
        dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        rows: Int, inChannels IC: Int, outChannels OC: Int
    ) {
        timed(.matmulBackwardData, floats: rows * OC + IC * OC + rows * IC, flops: 2 * rows * IC * OC) {
            matmulBackwardData(dinp: dinp, dout: dout, weight: weight, rows: rows, inChannels: IC, outChannels: OC)
        }
        guard trainsBase else { return }  // a frozen base (LoRA): no weight gradients
        timed(.matmulBackwardWeights, floats: rows * OC + rows * IC + 2 * IC * OC, flops: 2 * rows * IC * OC) {
            matmulBackwardWeights(dweight: dweight, dbias: dbias, dout: dout, inp: inp, rows: rows, inChannels: IC, outChannels: OC)
        }
    }

    /// `linearForward`, timed.
    func timedLinearForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                            rows: Int, inChannels IC: Int, outChannels OC: Int, accumulate: Bool) {
        timed(.matmulForward, floats: rows * IC + IC * OC + rows * OC * (accumulate ? 2 : 1), flops: 2 * rows * IC * OC) {
            linearForward(out: out, inp: inp, weight: weight, rows: rows, inChannels: IC, outChannels: OC, accumulate: accumulate)
        }
    }

    /// `linearBackward`, its two products timed apart.
    func timedLinearBackward(
        dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, rows: Int, inChannels IC: Int, outChannels OC: Int
    ) {
        timed(.matmulBackwardData, floats: rows * OC + IC * OC + rows * IC, flops: 2 * rows * IC * OC) {
            linearBackwardData(dinp: dinp, dout: dout, weight: weight, rows: rows, inChannels: IC, outChannels: OC)
        }
        guard trainsBase else { return }  // a frozen base (LoRA): no weight gradients
        timed(.matmulBackwardWeights, floats: rows * OC + rows * IC + 2 * IC * OC, flops: 2 * rows * IC * OC) {
            linearBackwardWeights(dweight: dweight, dout: dout, inp: inp, rows: rows, inChannels: IC, outChannels: OC)
        }
    }

    /// Attention score entries one (batch, head) computes: Σ over query blocks of rows × keys
    /// (the blocks on and below the diagonal; the key-block pass of backward covers as many).
    static func attentionEntries(sequence T: Int) -> Int {
        stride(from: 0, to: T, by: attentionBlock).reduce(0) { sum, first in
            let rows = min(attentionBlock, T - first)
            return sum + rows * (first + rows)
        }
    }

    /// `attentionForward`, timed: q·kᵀ and att·v over the causal blocks; reads qkv, writes out
    /// and the probabilities (written, then read by att·v).
    func timedAttentionForward(out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
                               batch B: Int, sequence T: Int, channels C: Int, heads NH: Int) {
        let entries = B * NH * Self.attentionEntries(sequence: T)
        timed(.attentionForward, floats: 4 * B * T * C + 2 * entries, flops: 4 * entries * (C / NH)) {
            attentionForward(out: out, att: att, qkv: qkv, batch: B, sequence: T, channels: C, heads: NH)
        }
    }

    /// `attentionBackward`, timed: four products over the causal blocks (datt, dq, dv, dk);
    /// reads qkv, dout and the probabilities, writes datt (then reads it) and dqkv.
    func timedAttentionBackward(dqkv: UnsafeMutablePointer<Float>, datt: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                qkv: UnsafePointer<Float>, att: UnsafePointer<Float>,
                                batch B: Int, sequence T: Int, channels C: Int, heads NH: Int) {
        let entries = B * NH * Self.attentionEntries(sequence: T)
        timed(.attentionBackward, floats: 7 * B * T * C + 3 * entries, flops: 8 * entries * (C / NH)) {
            attentionBackward(dqkv: dqkv, datt: datt, dout: dout, qkv: qkv, att: att, batch: B, sequence: T, channels: C, heads: NH)
        }
    }
}
