#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A linear classification head on one position's features: logits = W·h, W of shape
/// (classes, C) and no bias, as Hugging Face's GPT2ForSequenceClassification `score.weight`.
/// Its parameters and gradients are small flat buffers of their own (the trainer gives them an
/// `AdamW` of their own).
public final class ClassifierHead {
    /// Number of classes (K).
    public let classes: Int
    /// Feature width (C).
    public let channels: Int
    /// W (K, C), row-major.
    public let weight: UnsafeMutableBufferPointer<Float>
    /// dLoss/dW, same shape; `backward` adds into it.
    public let gradient: UnsafeMutableBufferPointer<Float>
    /// Softmax probabilities of the last `forward`, (rows, K).
    public private(set) var probabilities: [Float] = []

    public init(classes: Int, channels: Int) {
        precondition(classes >= 2 && channels > 0)
        self.classes = classes
        self.channels = channels
        weight = .allocate(capacity: classes * channels)
        gradient = .allocate(capacity: classes * channels)
        for b in [weight, gradient] { b.initialize(repeating: 0) }
    }

    deinit { for b in [weight, gradient] { b.deallocate() } }

    /// W ~ N(0, 0.02) from the generator, as GPT-2 initializes its linear layers.
    public func initialize<G: RandomNumberGenerator>(using generator: inout G) {
        var sampler = NormalSampler()
        for i in 0..<weight.count { weight[i] = Float(sampler.next(using: &generator) * 0.02) }
    }

    /// Class probabilities for each row of `features` selected by `rows` (indices of C-wide rows);
    /// returns the summed cross-entropy against `labels` (-1 = no label) and stores the probabilities.
    @discardableResult
    public func forward(features: UnsafeBufferPointer<Float>, rows: [Int], labels: [Int]) -> Double {
        let K = classes, C = channels
        probabilities = [Float](repeating: 0, count: rows.count * K)
        var loss = 0.0
        for (i, row) in rows.enumerated() {
            let h = features.baseAddress! + row * C
            var logits = [Double](repeating: 0, count: K)
            for k in 0..<K {
                let w = weight.baseAddress! + k * C
                var s: Float = 0
                for c in 0..<C { s += w[c] * h[c] }
                logits[k] = Double(s)
            }
            let top = logits.max()!
            let lse = top + log(logits.reduce(0) { $0 + exp($1 - top) })
            for k in 0..<K { probabilities[i * K + k] = Float(exp(logits[k] - lse)) }
            if labels[i] >= 0 { loss += lse - logits[labels[i]] }
        }
        return loss
    }

    /// After `forward`: adds scale·dLoss/dW into `gradient` and writes scale·dLoss/dfeatures into
    /// `dFeatures` at the selected rows (other rows are left as they are; zero them first).
    public func backward(features: UnsafeBufferPointer<Float>, rows: [Int], labels: [Int], scale: Float,
                         dFeatures: UnsafeMutableBufferPointer<Float>) {
        let K = classes, C = channels
        for (i, row) in rows.enumerated() where labels[i] >= 0 {
            let h = features.baseAddress! + row * C, dh = dFeatures.baseAddress! + row * C
            for k in 0..<K {
                let d = (probabilities[i * K + k] - (k == labels[i] ? 1 : 0)) * scale
                let w = weight.baseAddress! + k * C, g = gradient.baseAddress! + k * C
                for c in 0..<C {
                    g[c] += d * h[c]
                    dh[c] += d * w[c]
                }
            }
        }
    }
}
