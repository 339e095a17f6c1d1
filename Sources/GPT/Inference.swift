/// Autoregressive decoding of one sequence with a key/value cache, for sampling.
///
/// Reads the weights of `model` in place (nothing is copied), so it sees later updates to
/// them; after changing the weights, `reset()` because the cache holds keys and values of
/// the old ones.
public final class GPTInference {
    /// The model whose parameters are used.
    public let model: GPTModel
    /// Most tokens the cache holds (at most `config.blockSize`).
    public let capacity: Int
    /// Tokens fed since the last `reset()`; the next token goes at this position.
    public private(set) var length = 0

    private let buffer: UnsafeMutableBufferPointer<Float>
    let keys: UnsafeMutablePointer<Float>, values: UnsafeMutablePointer<Float>  // (L, capacity, C)
    // fch and fchGelu: GPT-2's 4C MLP; Llama's gate/up (2I) and SwiGLU output (I).
    // stats: a norm's mean and rstd, then Llama's 2·NH q/k rstd.
    let x, ln, qkv, atty, att, fch, fchGelu, stats, logits: UnsafeMutablePointer<Float>

    /// Creates an empty cache for up to `capacity` tokens (default: the block size).
    public init(model: GPTModel, capacity: Int? = nil) {
        let config = model.config
        let capacity = capacity ?? config.blockSize
        precondition(capacity > 0 && capacity <= config.blockSize, "capacity must be in 1...block_size")
        self.model = model
        self.capacity = capacity
        let C = config.nEmbd, L = config.nLayer, I = config.resolvedIntermediateSize
        let cache = L * capacity * C
        let llama = config.family == .llama
        let (wide, narrow, statCount) = llama ? (2 * I, I, 2 + 2 * config.nHead) : (4 * C, 4 * C, 2)
        buffer = .allocate(capacity: 2 * cache + 6 * C + capacity + wide + narrow + statCount + config.vocabSize)
        buffer.initialize(repeating: 0)
        var next = buffer.baseAddress!
        func take(_ n: Int) -> UnsafeMutablePointer<Float> { defer { next += n }; return next }
        keys = take(cache); values = take(cache)
        x = take(C); ln = take(C); qkv = take(3 * C); atty = take(C); att = take(capacity)
        fch = take(wide); fchGelu = take(narrow); stats = take(statCount); logits = take(config.vocabSize)
        precondition(next - buffer.baseAddress! <= buffer.count)
    }

    deinit { buffer.deallocate() }

    /// Forgets all tokens so the next one is at position 0.
    public func reset() { length = 0 }

    /// Forgets the tokens after the first `count`, so the next one goes at position `count`: the
    /// keys and values of a shared prefix (a context scored with several continuations) are kept.
    public func rewind(to count: Int) {
        precondition(count >= 0 && count <= length, "can only rewind to 0...length")
        length = count
    }

    /// Appends `token` at position `length` and returns the logits (V) for the token after it.
    /// The result is valid until the next call.
    public func next(token: Int32) -> UnsafeBufferPointer<Float> {
        let config = model.config
        step(token: token)
        let p = model.parameters.baseAddress!
        classifierForward(logits: logits, x: ln, wte: p + model.layout.headOffset, rows: 1, channels: config.nEmbd, vocab: config.vocabSize)
        length += 1
        return UnsafeBufferPointer(start: logits, count: config.vocabSize)
    }

    /// Appends `token` at position `length` without the logits after it: a context token whose
    /// prediction nobody reads skips the head (V × C of the ~12·L·C² + V·C multiply-adds per token).
    /// The cache ends up as `next` leaves it, bit for bit.
    public func append(token: Int32) {
        step(token: token)
        length += 1
    }

    /// One position through the blocks, the final norm's output left in `ln`.
    private func step(token: Int32) {
        precondition(length < capacity, "the key/value cache is full")
        precondition(token >= 0 && Int(token) < model.config.vocabSize, "token out of vocabulary")
        switch model.config.family {
        case .gpt2: gpt2Step(token: token)
        case .llama: llamaStep(token: token)
        }
    }

    /// One GPT-2 position: x through the blocks, the final LayerNorm's output left in `ln`.
    private func gpt2Step(token: Int32) {
        let config = model.config, layout = model.layout
        let C = config.nEmbd, pos = length
        let p = model.parameters.baseAddress!
        var tok = token
        encoderForward(out: x, tokens: &tok, wte: p + layout.wteOffset, wpe: p + layout.wpeOffset + pos * C,
                       batch: 1, sequence: 1, channels: C)
        for l in 0..<config.nLayer {
            let w = LayerParameters(base: p, layout: layout, layer: l)
            layerNormForward(out: ln, mean: stats, rstd: stats + 1, inp: x, weight: w.ln1Weight, bias: w.ln1Bias,
                             rows: 1, channels: C)
            matmulForward(out: qkv, inp: ln, weight: w.qkvWeight, bias: w.qkvBias,
                          rows: 1, inChannels: C, outChannels: 3 * C, accumulate: false)
            attend(layer: l)
            matmulForward(out: x, inp: atty, weight: w.attnProjWeight, bias: w.attnProjBias,
                          rows: 1, inChannels: C, outChannels: C, accumulate: true)
            layerNormForward(out: ln, mean: stats, rstd: stats + 1, inp: x, weight: w.ln2Weight, bias: w.ln2Bias,
                             rows: 1, channels: C)
            matmulForward(out: fch, inp: ln, weight: w.fcWeight, bias: w.fcBias,
                          rows: 1, inChannels: C, outChannels: 4 * C, accumulate: false)
            geluForward(out: fchGelu, inp: fch, count: 4 * C)
            matmulForward(out: x, inp: fchGelu, weight: w.fcProjWeight, bias: w.fcProjBias,
                          rows: 1, inChannels: 4 * C, outChannels: C, accumulate: true)
        }
        layerNormForward(out: ln, mean: stats, rstd: stats + 1, inp: x, weight: p + layout.lnfWeightOffset,
                         bias: p + layout.lnfBiasOffset, rows: 1, channels: C)
    }

    /// Stores this position's k and v (from `qkv`) in layer `l`'s cache and writes the attention
    /// output over positions 0...length into `atty`.
    func attend(layer l: Int) {
        let config = model.config
        let C = config.nEmbd, NH = config.nHead, HS = C / NH, pos = length
        let scale = 1 / Float(HS).squareRoot()
        let k = keys + l * capacity * C, v = values + l * capacity * C
        (k + pos * C).update(from: qkv + C, count: C)
        (v + pos * C).update(from: qkv + 2 * C, count: C)
        for h in 0..<NH {
            // scores (pos+1) = K_h (pos+1, HS) · q_h, then softmax, then atty_h = scoresᵀ · V_h.
            sgemm(transA: false, transB: false, m: pos + 1, n: 1, k: HS, alpha: scale, a: k + h * HS, lda: C,
                  b: qkv + h * HS, ldb: 1, beta: 0, c: att, ldc: 1)
            var maxv = -Float.infinity
            for j in 0...pos { maxv = max(maxv, att[j]) }
            var sum: Float = 0
            for j in 0...pos {
                att[j] = fastExp(att[j] - maxv)
                sum += att[j]
            }
            let inv = 1 / sum
            for j in 0...pos { att[j] *= inv }
            sgemm(transA: false, transB: false, m: 1, n: HS, k: pos + 1, alpha: 1, a: att, lda: pos + 1,
                  b: v + h * HS, ldb: C, beta: 0, c: atty + h * HS, ldc: HS)
        }
    }
}
