import GPT
import Testing

/// LoRA's forward and backward (GPT/LoRA) on GPT-2, Llama and Qwen3 (qk_norm, untied): adapter
/// gradients and the gradient through the adapter to earlier parameters against central
/// differences, with and without dropout; a frozen base, B = 0 and merging.
@Suite struct LoRAGradientTests {
    /// A tiny model of each family with an adapter on every projection it has.
    enum Case: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case gpt2, llama, qwen3
        var config: GPTConfig {
            switch self {
            case .gpt2: tinyConfig
            case .llama: tinyLlamaConfig
            case .qwen3: tinyQwenConfig
            }
        }
        var all: LoRASettings {
            let targets = self == .gpt2 ? ["c_attn", "c_proj", "c_fc"] : LoRAProjection.targetNames(.llama)
            return LoRASettings(rank: 3, alpha: 6, dropout: 0, targets: targets)
        }
        /// Adapted projections per block.
        var projections: Int { self == .gpt2 ? 4 : 7 }
        var testDescription: String { rawValue }
    }

    static func settings(_ c: Case, dropout: Double) -> LoRASettings {
        var s = c.all
        s.dropout = dropout
        return s
    }

    /// A randomized tiny model with an adapter on every projection, A and B both nonzero.
    static func adaptedModel(_ settings: LoRASettings, _ config: GPTConfig, trainsBase: Bool, batch: Int, sequence: Int) -> GPTModel {
        let model = GPTModel(config: config, maxBatch: batch, maxSequence: sequence, trainsBase: trainsBase)
        randomizeParameters(model, seed: 11)
        let lora = LoRAAdapter(settings: settings, config: config, maxRows: batch * sequence)
        var rng = SplitMix64(seed: 5)
        for i in 0..<lora.values.count { lora.values[i] = Float(rng.next() >> 40) / Float(1 << 24) - 0.5 }
        model.lora = lora
        return model
    }

    /// Central differences of the summed loss × scale against `analytic` at two elements of each
    /// range; the same tolerance as the base model's check.
    static func check(_ model: GPTModel, values: UnsafeMutableBufferPointer<Float>, analytic: [Float],
                      ranges: [(name: String, range: Range<Int>)], batch: (inputs: [Int32], targets: [Int32]),
                      B: Int, T: Int, scale: Float) -> Int {
        // 3e-3, not the base check's 1e-2: products of two random adapter matrices curve more,
        // and at 1e-2 the truncation error alone reached 1.2% on one element.
        let eps: Float = 3e-3
        var rng = SplitMix64(seed: 9), checked = 0, worst = 0.0
        for (name, range) in ranges {
            for _ in 0..<2 {
                let i = range.lowerBound + Int(rng.next() % UInt64(range.count))
                let saved = values[i]
                values[i] = saved + eps
                let plus = model.forward(batch.inputs, batch.targets, batch: B, sequence: T, gradientScale: nil).sum
                values[i] = saved - eps
                let minus = model.forward(batch.inputs, batch.targets, batch: B, sequence: T, gradientScale: nil).sum
                values[i] = saved
                let numeric = Double(scale) * (plus - minus) / (2 * Double(eps))
                let error = abs(Double(analytic[i]) - numeric)
                if abs(numeric) > 1e-2 { worst = max(worst, error / abs(numeric)) }
                #expect(error <= 1e-2 * abs(numeric) + 1e-3, "\(name)[\(i - range.lowerBound)]: analytic \(analytic[i]), numeric \(numeric)")
                checked += 1
            }
        }
        print("LoRA finite differences: \(checked) values, max rel error (|g|>1e-2) \(worst)")
        return checked
    }

    /// dA and dB of every adapted projection, with the base frozen (no base gradients at all).
    @Test(arguments: Case.allCases, [0.0, 0.3]) func adapterGradientsMatchCentralDifferences(_ c: Case, dropout: Double) {
        let (B, T) = (2, 8)
        let model = Self.adaptedModel(Self.settings(c, dropout: dropout), c.config, trainsBase: false, batch: B, sequence: T)
        let lora = model.lora!
        // A fixed key: the mask is the same in every pass, so the loss is a function of A and B.
        if dropout > 0 { lora.dropoutKey = LoRADropoutKey(seed: 3, step: 4, positions: [17, 2]) }
        let batch = randomBatch(batch: B, sequence: T, vocab: c.config.vocabSize, seed: 21, ignored: [4])
        #expect(model.gradients.isEmpty)
        lora.gradients.update(repeating: 0)
        model.forward(batch.inputs, batch.targets, batch: B, sequence: T)
        model.backward(lossScale: 0.5)
        let analytic = Array(lora.gradients)
        let checked = Self.check(model, values: lora.values, analytic: analytic, ranges: lora.tensors.map { ($0.name, $0.range) },
                                 batch: batch, B: B, T: T, scale: 0.5)
        #expect(checked == 2 * lora.tensors.count && lora.tensors.count == 2 * c.config.nLayer * c.projections)
    }

    /// The gradient that flows through the adapters into the layers below (dx), seen on the base
    /// parameters of a model that also trains its base.
    @Test(arguments: Case.allCases, [0.0, 0.3]) func gradientThroughAdapterMatchesCentralDifferences(_ c: Case, dropout: Double) {
        let (B, T) = (2, 8)
        let model = Self.adaptedModel(Self.settings(c, dropout: dropout), c.config, trainsBase: true, batch: B, sequence: T)
        if dropout > 0 { model.lora!.dropoutKey = LoRADropoutKey(seed: 3, step: 4, positions: [17, 2]) }
        let batch = randomBatch(batch: B, sequence: T, vocab: c.config.vocabSize, seed: 22)
        model.zeroGradients()
        model.forward(batch.inputs, batch.targets, batch: B, sequence: T)
        model.backward(lossScale: 1)
        let analytic = Array(model.gradients)
        let checked = Self.check(model, values: model.parameters, analytic: analytic,
                                 ranges: model.layout.tensors.map { ($0.name, $0.range) }, batch: batch, B: B, T: T, scale: 1)
        #expect(checked == 2 * model.layout.tensors.count)
    }

    /// A frozen base gives the adapter exactly the gradients a trained base does (only the weight
    /// GEMMs are skipped), and B = 0 (PEFT's start) leaves the logits bit-identical to the base's.
    @Test(arguments: Case.allCases) func frozenBaseAndZeroBAreExact(_ c: Case) {
        let (B, T) = (2, 8)
        let batch = randomBatch(batch: B, sequence: T, vocab: c.config.vocabSize, seed: 23)
        var grads: [[Float]] = []
        for trainsBase in [true, false] {
            let model = Self.adaptedModel(c.all, c.config, trainsBase: trainsBase, batch: B, sequence: T)
            model.lora!.gradients.update(repeating: 0)
            model.zeroGradients()
            model.forward(batch.inputs, batch.targets, batch: B, sequence: T)
            model.backward(lossScale: 1)
            grads.append(Array(model.lora!.gradients))
        }
        #expect(grads[0] == grads[1])
        let plain = GPTModel(config: c.config, maxBatch: B, maxSequence: T)
        randomizeParameters(plain, seed: 11)
        let adapted = Self.adaptedModel(c.all, c.config, trainsBase: false, batch: B, sequence: T)
        let lora = adapted.lora!
        var rng = SplitMix64(seed: 1)
        lora.initialize(using: &rng)
        #expect(lora.tensors.allSatisfy { t in t.name.hasSuffix("lora_A.weight") == lora.values[t.range].contains { $0 != 0 } })
        plain.forward(batch.inputs, nil, batch: B, sequence: T)
        adapted.forward(batch.inputs, nil, batch: B, sequence: T)
        #expect(Array(plain.logits(batch: 1, position: 5)) == Array(adapted.logits(batch: 1, position: 5)))
    }

    /// The dropout mask belongs to the sample, not the batch: a row's logits are the same whether
    /// it is trained alone or beside another, and a different step draws a different mask.
    @Test func dropoutMaskFollowsTheSample() {
        let settings = Self.settings(.gpt2, dropout: 0.5)
        let T = 8
        let pair = Self.adaptedModel(settings, tinyConfig, trainsBase: false, batch: 2, sequence: T)
        let single = Self.adaptedModel(settings, tinyConfig, trainsBase: false, batch: 1, sequence: T)
        let batch = randomBatch(batch: 2, sequence: T, vocab: tinyConfig.vocabSize, seed: 24)
        pair.lora!.dropoutKey = LoRADropoutKey(seed: 3, step: 4, positions: [40, 41])
        single.lora!.dropoutKey = LoRADropoutKey(seed: 3, step: 4, positions: [41])
        pair.forward(batch.inputs, nil, batch: 2, sequence: T)
        single.forward(Array(batch.inputs[T...]), nil, batch: 1, sequence: T)
        let a = Array(pair.logits(batch: 1, position: 6)), b = Array(single.logits(batch: 0, position: 6))
        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 })
        single.lora!.dropoutKey = LoRADropoutKey(seed: 3, step: 5, positions: [41])
        single.forward(Array(batch.inputs[T...]), nil, batch: 1, sequence: T)
        let c = Array(single.logits(batch: 0, position: 6))
        #expect(zip(a, c).contains { abs($0 - $1) > 1e-3 })
    }

    /// Merging (alpha/r)·BA into the weights (transposed into Conv1D, as is into nn.Linear) gives
    /// the adapted model's logits.
    @Test(arguments: Case.allCases) func mergedWeightsGiveTheAdaptedLogits(_ c: Case) {
        let (B, T) = (1, 8)
        let adapted = Self.adaptedModel(c.all, c.config, trainsBase: false, batch: B, sequence: T)
        let merged = GPTModel(config: c.config, maxBatch: B, maxSequence: T)
        _ = merged.parameters.update(fromContentsOf: adapted.parameters)
        adapted.lora!.merge(into: merged.parameters, layout: merged.layout)
        let inputs = randomBatch(batch: B, sequence: T, vocab: c.config.vocabSize, seed: 25).inputs
        adapted.forward(inputs, nil, batch: B, sequence: T)
        merged.forward(inputs, nil, batch: B, sequence: T)
        let a = Array(adapted.logits(batch: 0, position: 7)), m = Array(merged.logits(batch: 0, position: 7))
        let worst = zip(a, m).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-4, "merged logits differ by \(worst)")
    }
}
