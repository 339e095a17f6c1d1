// The transformer without its language-model head, for task heads such as a classifier:
// forward to the final LayerNorm's output, and backward from a gradient on it.

extension GPTModel {
    /// Runs the model on `inputs` (batch, sequence) up to the final LayerNorm and returns its
    /// output, the features (batch · sequence rows of C values, row-major), skipping the vocabulary
    /// logits. The buffer is valid until the next forward pass.
    public func forwardFeatures(inputs tokens: UnsafeBufferPointer<Int32>, batch B: Int, sequence T: Int) -> UnsafeBufferPointer<Float> {
        featuresOnly = true
        defer { featuresOnly = false }
        forward(inputs: tokens, targets: nil, batch: B, sequence: T)
        return UnsafeBufferPointer(start: acts.baseAddress! + actLayout.lnf, count: B * T * config.nEmbd)
    }

    /// Adds to `gradients` the gradient of a loss whose gradient with respect to the features of
    /// the last `forwardFeatures` is `dFeatures` (batch · sequence · C values). `onFinalGradients`
    /// is called as in `backward`. The language-model head gets no gradient (wte only through the
    /// token embedding).
    public func backwardFromFeatures(_ dFeatures: UnsafeBufferPointer<Float>, onFinalGradients: ((Range<Int>) -> Void)? = nil) {
        precondition(dFeatures.count >= lastBatch * lastSequence * config.nEmbd, "dFeatures must hold batch·sequence·C values")
        featureGradient = dFeatures.baseAddress!
        defer { featureGradient = nil }
        backward(lossScale: 1, onFinalGradients: onFinalGradients)
    }
}
