/// A GPT-2 or Llama model (`config.family`) with one flat buffer each for parameters, gradients and activations.
///
/// Dimensions: B batch, T sequence, C channels, NH heads, L layers, V vocabulary.
/// Nothing is allocated after `init`; `forward` and `backward` only write into the buffers.
public final class GPTModel {
    /// The model dimensions.
    public let config: GPTConfig
    /// Where each named tensor lives in `parameters` and `gradients`.
    public let layout: ParameterLayout
    /// All parameters, in `layout` order.
    public let parameters: UnsafeMutableBufferPointer<Float>
    /// All gradients, in `layout` order; `backward` adds into it. Empty when `trainsBase` is false.
    public let gradients: UnsafeMutableBufferPointer<Float>
    /// Whether backward computes the base weights' gradients; false under LoRA, where only the
    /// adapter trains: the weight GEMMs are skipped (dx is still taken) and `gradients` is empty.
    public let trainsBase: Bool
    /// A LoRA adapter on the projections (GPTModel+LoRA.swift), or nil.
    public var lora: LoRAAdapter? = nil {
        willSet { precondition(newValue.map { $0.maxRows >= maxBatch * maxSequence } ?? true, "the adapter is built for fewer rows") }
    }
    /// Where a frozen base's norm weight (and GPT-2's LayerNorm bias) gradients go (2·C floats, never read).
    let gradientSink: UnsafeMutablePointer<Float>
    /// Largest batch `forward` accepts.
    public let maxBatch: Int
    /// Longest sequence `forward` accepts (at most `config.blockSize`).
    public let maxSequence: Int

    let acts: UnsafeMutableBufferPointer<Float>
    let actLayout: ActivationLayout
    let inputs: UnsafeMutableBufferPointer<Int32>
    private let targets: UnsafeMutableBufferPointer<Int32>
    var lastBatch = 0
    var lastSequence = 0
    /// True after a forward pass that backward can follow.
    private var backwardReady = false
    /// The `gradientScale` of the last forward pass.
    private var headScale: Float = 1
    /// One row of logits for `logits(batch:position:)`.
    private let logitsRow: UnsafeMutablePointer<Float>
    /// Set by `forwardFeatures`: the pass stops at the final LayerNorm (GPTModel+Features.swift).
    var featuresOnly = false
    /// Set by `backwardFromFeatures`: backward starts from this gradient on the final LayerNorm's output.
    var featureGradient: UnsafePointer<Float>? = nil
    /// While set, forward, backward and `zeroGradients` add each kernel's time to it (`trainer
    /// bench --profile`); nil (the default) costs one branch per kernel call.
    public var profile: KernelProfile? = nil

    /// Allocates buffers for batches of up to `maxBatch` sequences of up to `maxSequence` tokens.
    /// Parameters start at zero; call `initializeWeights(using:)` or copy weights in. With
    /// `trainsBase` false no gradient buffer is allocated and backward only serves an adapter.
    public init(config: GPTConfig, maxBatch: Int, maxSequence: Int, trainsBase: Bool = true) {
        precondition(maxBatch > 0 && maxSequence > 0 && maxSequence <= config.blockSize,
                     "need 0 < maxSequence <= block_size and maxBatch > 0")
        precondition(config.family == .gpt2 || config.headSize % 2 == 0, "rotary embeddings need an even head size (GPTConfig.problems)")
        self.config = config
        self.trainsBase = trainsBase
        self.maxBatch = maxBatch
        self.maxSequence = maxSequence
        layout = ParameterLayout(config: config)
        parameters = .allocate(capacity: layout.totalCount)
        parameters.initialize(repeating: 0)
        gradients = .allocate(capacity: trainsBase ? layout.totalCount : 0)
        gradients.initialize(repeating: 0)
        gradientSink = .allocate(capacity: 2 * config.nEmbd)
        gradientSink.initialize(repeating: 0, count: 2 * config.nEmbd)
        actLayout = ActivationLayout(config: config, maxBatch: maxBatch, maxSequence: maxSequence)
        acts = .allocate(capacity: actLayout.totalCount)
        acts.initialize(repeating: 0)
        inputs = .allocate(capacity: maxBatch * maxSequence)
        inputs.initialize(repeating: 0)
        targets = .allocate(capacity: maxBatch * maxSequence)
        targets.initialize(repeating: -1)
        logitsRow = .allocate(capacity: config.vocabSize)
        logitsRow.initialize(repeating: 0, count: config.vocabSize)
        if config.family == .llama {
            rotaryTables(cosine: acts.baseAddress! + actLayout.llama.ropeCos, sine: acts.baseAddress! + actLayout.llama.ropeSin,
                         positions: config.blockSize, headSize: config.headSize, theta: config.ropeTheta)
        }
    }

    deinit {
        parameters.deallocate()
        gradients.deallocate()
        gradientSink.deallocate()
        acts.deallocate()
        inputs.deallocate()
        targets.deallocate()
        logitsRow.deallocate()
    }

    /// Floats in the parameter buffer and in the activation buffer of a model of `config` built for
    /// batches of `batch` sequences of `sequence` tokens, from the same layouts that allocate
    /// them; nil when a dimension is not positive or a count does not fit in an Int, so that
    /// dimensions from outside (configs, state.json) are checked before anything is allocated.
    public static func checkedSizes(config: GPTConfig, batch: Int, sequence: Int) -> (parameters: Int, activations: Int)? {
        guard let parameters = ParameterLayout.checkedCount(config: config),
              let activations = ActivationLayout(checking: config, maxBatch: batch, maxSequence: sequence)?.totalCount
        else { return nil }
        return (parameters, activations)
    }

    /// Bytes of the activation buffer for (batch, sequence): for a start-up memory estimate.
    public static func activationBytes(config: GPTConfig, batch: Int, sequence: Int) -> Int {
        ActivationLayout(config: config, maxBatch: batch, maxSequence: sequence).totalCount * MemoryLayout<Float>.stride
    }

    /// Training FLOPs per token: 6N for the matmuls of forward and backward plus 12·L·C·T for
    /// attention scores (nanoGPT's estimate_mfu, PaLM appendix B). N counts the parameters that
    /// multiply: every tensor but the lookups. GPT-2: all but `wpe`, as nanoGPT does; the tied
    /// `wte` counts once, for the head matmul. Llama tied: all (embed_tokens once, for the head);
    /// untied: all but `embed_tokens` (a lookup; `lm_head` is the head matmul). Norm gains and
    /// biases are counted, as nanoGPT does (under 0.1%); rotary, RMSNorm and SwiGLU's elementwise
    /// work is not.
    public static func flopsPerToken(config: GPTConfig, sequence: Int) -> Double {
        let layout = ParameterLayout(config: config)
        let lookups = switch config.family {
        case .gpt2: config.blockSize * config.nEmbd
        case .llama: config.tiedHead ? 0 : config.vocabSize * config.nEmbd
        }
        let n = Double(layout.totalCount - lookups)
        return 6 * n + 12 * Double(config.nLayer) * Double(config.nEmbd) * Double(sequence)
    }

    /// Sets every gradient to zero.
    public func zeroGradients() {
        timed(.zeroGradients, floats: gradients.count) { gradients.update(repeating: 0) }
    }

    /// The logits (V values) at (batch, position) of the last forward pass, computed on demand
    /// from the final LayerNorm's output (the forward pass keeps no logits). Valid until the next
    /// call of `logits` or `forward`.
    public func logits(batch b: Int, position t: Int) -> UnsafeBufferPointer<Float> {
        precondition(b >= 0 && b < lastBatch && t >= 0 && t < lastSequence, "no such logits in the last forward")
        let C = config.nEmbd, V = config.vocabSize
        let x = acts.baseAddress! + actLayout.lnf + (b * lastSequence + t) * C
        classifierForward(logits: logitsRow, x: x, wte: parameters.baseAddress! + layout.headOffset, rows: 1, channels: C, vocab: V)
        return UnsafeBufferPointer(start: logitsRow, count: V)
    }

    /// Runs the model on `inputs` (batch, sequence), row-major. With `targets` of the same
    /// shape (-1 = ignored) returns the summed cross-entropy and, unless `gradientScale` is nil
    /// (evaluation: no backward follows), also takes the gradient of gradientScale × that sum
    /// through the language-model head while its logits are in cache; pass the `lossScale`
    /// backward will get. Without targets it stops at the final LayerNorm, and
    /// `logits(batch:position:)` gives any position's logits.
    @discardableResult
    public func forward(
        inputs tokens: UnsafeBufferPointer<Int32>, targets labels: UnsafeBufferPointer<Int32>?,
        batch B: Int, sequence T: Int, gradientScale: Float? = 1
    ) -> LossSum {
        stage(tokens: tokens, labels: labels, batch: B, sequence: T)
        let C = config.nEmbd, V = config.vocabSize, BT = B * T
        lastBatch = B
        lastSequence = T
        backwardReady = featuresOnly || (labels != nil && gradientScale != nil)
        headScale = gradientScale ?? 1

        switch config.family {
        case .gpt2: gpt2TrunkForward(batch: B, sequence: T)
        case .llama: llamaTrunkForward(batch: B, sequence: T)
        }
        let a = acts.baseAddress!, s = actLayout, p = parameters.baseAddress!
        guard labels != nil, !featuresOnly else { return LossSum(sum: 0, count: 0) }
        let head = HeadBuffers(logits: a + s.headLogits, chunk: s.headChunk, losses: a + s.losses, dx: a + s.dSmall,
                               dwte: gradientScale == nil ? nil : a + s.dwteHead, scale: headScale, profile: profile,
                               weightGradient: trainsBase)
        languageModelHead(head, x: a + s.lnf, wte: p + layout.headOffset, targets: targets.baseAddress!,
                          rows: BT, channels: C, vocab: V)
        // Summed serially in Double so the result is independent of the thread split.
        var sum = 0.0, count = 0
        for i in 0..<BT where targets[i] >= 0 {
            sum += Double(a[s.losses + i])
            count += 1
        }
        return LossSum(sum: sum, count: count)
    }

    /// Checks the batch's shape and tokens and copies them into the model's own buffers.
    private func stage(tokens: UnsafeBufferPointer<Int32>, labels: UnsafeBufferPointer<Int32>?, batch B: Int, sequence T: Int) {
        precondition(B > 0 && B <= maxBatch && T > 0 && T <= maxSequence, "batch/sequence exceed the allocation")
        precondition(tokens.count >= B * T, "inputs must hold batch*sequence tokens")
        let V = config.vocabSize, BT = B * T
        for i in 0..<BT {
            precondition(tokens[i] >= 0 && Int(tokens[i]) < V, "input token out of vocabulary")
            inputs[i] = tokens[i]
        }
        guard let labels else { return }
        precondition(labels.count >= BT, "targets must hold batch*sequence tokens")
        for i in 0..<BT {
            precondition(labels[i] >= -1 && Int(labels[i]) < V, "target out of vocabulary")
            targets[i] = labels[i]
        }
    }

    /// Adds to `gradients` the gradient of lossScale × (summed loss of the last forward).
    ///
    /// `onFinalGradients` is called with each flat range of `gradients` as soon as it is
    /// complete for this pass: the untied head (`headRange`, Llama only), the final norm, then
    /// each block from the last to the first, then the embeddings (`wte` gets its last
    /// contribution from the encoder). The ranges cover the buffer. The caller may start reducing
    /// a range while backward continues; backward never touches it again.
    public func backward(lossScale: Float, onFinalGradients: ((Range<Int>) -> Void)? = nil) {
        precondition(backwardReady, "backward needs a forward pass with targets and a gradientScale")
        backwardReady = false  // dSmall, which holds the head's gradient, is about to be reused
        let BT = lastBatch * lastSequence, C = config.nEmbd, V = config.vocabSize
        let a = acts.baseAddress!, s = actLayout, g = gradients.baseAddress ?? gradientSink
        let dSmall = a + s.dSmall
        if let featureGradient {
            dSmall.update(from: featureGradient, count: BT * C)
        } else {
            // forward left the head's gradients of headScale × the summed loss in dSmall and dwteHead.
            let rescale = lossScale / headScale
            timed(.headGradient, floats: 3 * V * C + (rescale != 1 ? 2 * BT * C : 0)) {
                if rescale != 1 { scale(dSmall, count: BT * C, by: rescale) }
                if trainsBase { addScaled(g + layout.headOffset, a + s.dwteHead, count: V * C, scale: rescale) }
            }
        }
        // A frozen base has no gradient ranges to report.
        let onFinalGradients = trainsBase ? onFinalGradients : nil
        if let head = layout.headRange { onFinalGradients?(head) }
        switch config.family {
        case .gpt2: gpt2TrunkBackward(onFinalGradients: onFinalGradients)
        case .llama: llamaTrunkBackward(onFinalGradients: onFinalGradients)
        }
    }
}
