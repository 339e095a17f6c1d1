// The trunk's hooks into the LoRA adapter (GPTModel.lora): after each adapted projection's
// forward the adapter adds its update to the output; after its input gradient, the adapter's
// part of it and its own gradients.

extension GPTModel {
    /// y += the adapter's update of `projection` in block `layer`, when adapted.
    @inline(__always)
    func loraForward(_ projection: LoRAProjection, layer: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        guard let lora, let slot = lora.slot(layer: layer, projection) else { return }
        let s = lora.slots[slot], rows = lastBatch * lastSequence, r = lora.settings.rank
        timed(.matmulForward, floats: rows * (s.input + r + s.output), flops: 2 * rows * r * (s.input + s.output)) {
            lora.forward(slot: slot, x: x, y: y, batch: lastBatch, sequence: lastSequence)
        }
    }

    /// dA, dB into the adapter's gradients and its part of dx, when `projection` is adapted.
    @inline(__always)
    func loraBackward(_ projection: LoRAProjection, layer: Int, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                      dx: UnsafeMutablePointer<Float>) {
        guard let lora, let slot = lora.slot(layer: layer, projection) else { return }
        let s = lora.slots[slot], rows = lastBatch * lastSequence, r = lora.settings.rank
        timed(.matmulBackwardData, floats: rows * (s.input + r + s.output), flops: 4 * rows * r * (s.input + s.output)) {
            lora.backward(slot: slot, x: x, dy: dy, dx: dx, batch: lastBatch, sequence: lastSequence)
        }
    }

    /// `pointer` into the gradients, or, for a frozen base, the sink its norm gradients go to.
    @inline(__always)
    func baseGradient(_ pointer: UnsafeMutablePointer<Float>, bias: Bool = false) -> UnsafeMutablePointer<Float> {
        trainsBase ? pointer : gradientSink + (bias ? config.nEmbd : 0)
    }
}
