// The adapter's forward and backward for one slot over `rows` = batch × sequence tokens, all
// products through sgemm (row-major). h = dropout(x) (rows, in), u = h·Aᵀ (rows, r),
// y += s·u·Bᵀ; backward from dy (rows, out): du = s·dy·B, dB += s·dyᵀ·u, dA += duᵀ·h,
// dx += dropout(du·A) (the mask and scale of forward, recomputed). y and dy are the trunk's
// rows: the slot's outputs are `out` columns from `column` in rows of `width` floats (Llama's
// q, k, v in the packed qkv rows), so the leading dimension is `width`, not `out`.

extension LoRAAdapter {
    /// u of `slot` for the last forward.
    private func hiddenRows(_ slot: Int) -> UnsafeMutablePointer<Float> { hidden.baseAddress! + slot * maxRows * rank }

    /// The input the adapter sees: x itself, or its dropped-out copy in `scratch`.
    private func adapterInput(_ slot: Int, x: UnsafePointer<Float>, batch B: Int, sequence T: Int) -> UnsafePointer<Float> {
        guard dropping, let key = dropoutKey else { return x }
        precondition(key.positions.count >= B, "a dropout key needs one stream position per batch row")
        let s = slots[slot]
        loraDropout(out: scratch.baseAddress!, inp: x, key: key, slot: slot, rows: B * T, sequence: T, width: s.input,
                    probability: settings.dropout, accumulate: false)
        return UnsafePointer(scratch.baseAddress!)
    }

    /// y (rows, out) += s·B(A(dropout(x))) for x (rows, in); keeps u for backward.
    func forward(slot: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch B: Int, sequence T: Int) {
        let s = slots[slot], rows = B * T, r = rank, v = values.baseAddress!, u = hiddenRows(slot)
        precondition(rows <= maxRows, "batch exceeds the adapter's allocation")
        let h = adapterInput(slot, x: x, batch: B, sequence: T)
        sgemm(transA: false, transB: true, m: rows, n: r, k: s.input, alpha: 1, a: h, lda: s.input,
              b: v + s.aOffset, ldb: s.input, beta: 0, c: u, ldc: r)
        sgemm(transA: false, transB: true, m: rows, n: s.output, k: r, alpha: settings.scaling, a: u, lda: r,
              b: v + s.bOffset, ldb: r, beta: 1, c: y + s.column, ldc: s.width)
    }

    /// After `forward` on the same x: adds dA and dB into `gradients` and the adapter's part of
    /// the input gradient into dx (which already holds the base's).
    func backward(slot: Int, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                  batch B: Int, sequence T: Int) {
        let s = slots[slot], rows = B * T, r = rank, scaling = settings.scaling
        let v = values.baseAddress!, g = gradients.baseAddress!, u = hiddenRows(slot), du = dHidden.baseAddress!
        let dy = dy + s.column
        sgemm(transA: false, transB: false, m: rows, n: r, k: s.output, alpha: scaling, a: dy, lda: s.width,
              b: v + s.bOffset, ldb: r, beta: 0, c: du, ldc: r)
        sgemm(transA: true, transB: false, m: s.output, n: r, k: rows, alpha: scaling, a: dy, lda: s.width,
              b: u, ldb: r, beta: 1, c: g + s.bOffset, ldc: r)
        let h = adapterInput(slot, x: x, batch: B, sequence: T)
        sgemm(transA: true, transB: false, m: r, n: s.input, k: rows, alpha: 1, a: du, lda: r,
              b: h, ldb: s.input, beta: 1, c: g + s.aOffset, ldc: s.input)
        guard dropping, let key = dropoutKey else {
            sgemm(transA: false, transB: false, m: rows, n: s.input, k: r, alpha: 1, a: du, lda: r,
                  b: v + s.aOffset, ldb: s.input, beta: 1, c: dx, ldc: s.input)
            return
        }
        let dh = scratch.baseAddress!
        sgemm(transA: false, transB: false, m: rows, n: s.input, k: r, alpha: 1, a: du, lda: r,
              b: v + s.aOffset, ldb: s.input, beta: 0, c: dh, ldc: s.input)
        loraDropout(out: dx, inp: dh, key: key, slot: slot, rows: rows, sequence: T, width: s.input,
                    probability: settings.dropout, accumulate: true)
    }

    /// Adds (alpha/r)·B·A into each adapted weight of `parameters` laid out by `layout`, in the
    /// weight's own storage: transposed into GPT-2's Conv1D (in, out), as is into Llama's
    /// nn.Linear (out, in). The merged model computes what base + adapter computed (without dropout).
    public func merge(into parameters: UnsafeMutableBufferPointer<Float>, layout: ParameterLayout) {
        let v = values.baseAddress!, p = parameters.baseAddress!
        for s in slots {
            let (offset, storage) = layout.projectionWeight(layer: s.layer, s.projection)
            let w = p + offset
            switch storage {
            case .inputsByOutputs:  // W (in, out) += s·Aᵀ (in, r) · Bᵀ (r, out).
                sgemm(transA: true, transB: true, m: s.input, n: s.output, k: rank, alpha: settings.scaling, a: v + s.aOffset,
                      lda: s.input, b: v + s.bOffset, ldb: rank, beta: 1, c: w, ldc: s.output)
            case .outputsByInputs:  // W (out, in) += s·B (out, r) · A (r, in).
                sgemm(transA: false, transB: false, m: s.output, n: s.input, k: rank, alpha: settings.scaling, a: v + s.bOffset,
                      lda: rank, b: v + s.aOffset, ldb: s.input, beta: 1, c: w, ldc: s.input)
            }
        }
    }
}
