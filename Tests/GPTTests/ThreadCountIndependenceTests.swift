import CBLAS
import GPT
import Testing

/// Every output of a training step at 1, 2, 3 and 4 kernel threads (the products' tiles
/// included; OpenBLAS itself stays at one thread), compared bit for bit: the loss, every gradient
/// (each kernel's backward reaches one), logits, the clipping norm and AdamW's update. Shapes: gpt-tiny's (configs/gpt-tiny.json, micro-batch 4)
/// and gpt-small's widths (configs/gpt-small.json: C 384, T 256, V 8192; one block, batch 2, so
/// that it stays fast), which give every sgemm shape of both models.
@Suite(.serialized) struct ThreadCountIndependenceTests {
    /// What one step computes; compared with == (Float equality of every element).
    struct StepBits: Equatable {
        var loss: LossSum
        var gradients: [Float]
        var logits: [Float]
        var norm: Float
        var updated: [Float]
    }

    static func step(_ config: GPTConfig, batch B: Int, sequence T: Int, kernels: Int) -> StepBits {
        KernelThreads.$scoped.withValue(kernels) {
            let model = GPTModel(config: config, maxBatch: B, maxSequence: T)
            var rng = SplitMix64(seed: 1337)
            model.initializeWeights(using: &rng)
            let batch = randomBatch(batch: B, sequence: T, vocab: config.vocabSize, seed: 3, ignored: [1, 7])
            model.zeroGradients()
            let loss = model.forward(batch.inputs, batch.targets, batch: B, sequence: T)
            let logits = Array(model.logits(batch: B - 1, position: T / 2))
            model.backward(lossScale: 1 / Float(loss.count))
            let gradients = Array(model.gradients)
            let clip = GradientClipping.clip(model.gradients, maxNorm: 0.5)
            let adam = AdamW(layout: model.layout)
            adam.update(parameters: model.parameters, gradients: model.gradients, learningRate: 1e-3, step: 1)
            return StepBits(loss: loss, gradients: gradients, logits: logits, norm: clip.norm, updated: Array(model.parameters))
        }
    }

    static func check(_ config: GPTConfig, batch B: Int, sequence T: Int) {
        let reference = step(config, batch: B, sequence: T, kernels: 1)
        #expect(reference.gradients.contains { $0 != 0 })
        #expect(openblas_get_num_threads() == 1, "the products' tiles run on one OpenBLAS thread each")
        for kernels in [2, 3, 4] {
            let other = step(config, batch: B, sequence: T, kernels: kernels)
            let differing = zip(reference.gradients, other.gradients).filter { $0 != $1 }.count
            #expect(other == reference, "\(kernels) threads: \(differing) gradients differ, loss \(other.loss.sum) vs \(reference.loss.sum)")
        }
        print("threads: C \(config.nEmbd), V \(config.vocabSize), B·T \(B * T): loss sum \(reference.loss.sum) at 1 to 4 threads")
    }

    @Test func gptTinyStepIsBitIdenticalAtOneToFourThreads() {
        Self.check(GPTConfig(nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 32, vocabSize: 512), batch: 4, sequence: 32)
    }

    @Test func gptSmallShapesAreBitIdenticalAtOneToFourThreads() {
        Self.check(GPTConfig(nLayer: 1, nHead: 6, nEmbd: 384, blockSize: 256, vocabSize: 8192), batch: 2, sequence: 256)
    }
}
