#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// AdamW with decoupled weight decay on 2-D tensors only, over flat buffers in `layout` order.
public final class AdamW {
    /// The parameter layout the moments follow.
    public let layout: ParameterLayout
    /// First-moment decay rate.
    public var beta1: Float
    /// Second-moment decay rate.
    public var beta2: Float
    /// Added to √v̂ in the denominator.
    public var eps: Float
    /// Decoupled weight decay coefficient (applied where `layout.decays`).
    public var weightDecay: Float
    /// First moments (same layout as the parameters); checkpointed with the model.
    public let m: UnsafeMutableBufferPointer<Float>
    /// Second moments (same layout as the parameters); checkpointed with the model.
    public let v: UnsafeMutableBufferPointer<Float>

    /// Maximal runs of consecutive tensors that share one weight-decay setting.
    private let runs: [(range: Range<Int>, decays: Bool)]

    /// Creates an optimizer with zeroed moments.
    public init(layout: ParameterLayout, beta1: Float = 0.9, beta2: Float = 0.95, eps: Float = 1e-8,
                weightDecay: Float = 0.1) {
        self.layout = layout
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        m = .allocate(capacity: layout.totalCount)
        m.initialize(repeating: 0)
        v = .allocate(capacity: layout.totalCount)
        v.initialize(repeating: 0)
        var runs: [(range: Range<Int>, decays: Bool)] = []
        for t in layout.tensors {
            let d = layout.decays(t)
            if let last = runs.last, last.decays == d, last.range.upperBound == t.offset {
                runs[runs.count - 1].range = last.range.lowerBound..<t.range.upperBound
            } else {
                runs.append((t.range, d))
            }
        }
        self.runs = runs
    }

    deinit {
        m.deallocate()
        v.deallocate()
    }

    /// Sets both moments to zero.
    public func reset() {
        m.update(repeating: 0)
        v.update(repeating: 0)
    }

    /// One AdamW step; `step` is 1-based and drives the bias correction.
    public func update(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
                       learningRate lr: Float, step: Int) {
        precondition(step >= 1, "AdamW steps are 1-based")
        precondition(parameters.count == layout.totalCount && gradients.count == layout.totalCount)
        let b1 = beta1, b2 = beta2, eps = eps
        let correction1 = Float(1 - pow(Double(b1), Double(step)))
        let correction2 = Float(1 - pow(Double(b2), Double(step)))
        let p = parameters.baseAddress!, g = gradients.baseAddress!, m = m.baseAddress!, v = v.baseAddress!
        for run in runs {
            let decay = run.decays ? lr * weightDecay : 0
            for i in run.range {
                let gi = g[i]
                let mi = b1 * m[i] + (1 - b1) * gi
                let vi = b2 * v[i] + (1 - b2) * gi * gi
                m[i] = mi
                v[i] = vi
                let mHat = mi / correction1
                let vHat = vi / correction2
                p[i] -= lr * (mHat / (vHat.squareRoot() + eps)) + decay * p[i]
            }
        }
    }

    /// One AdamW step with mutable gradients (convenience for `model.gradients`).
    public func update(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeMutableBufferPointer<Float>,
                       learningRate: Float, step: Int) {
        update(parameters: parameters, gradients: UnsafeBufferPointer(gradients), learningRate: learningRate, step: step)
    }
}
