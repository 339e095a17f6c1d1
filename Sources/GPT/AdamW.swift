#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// AdamW with decoupled weight decay on 2-D tensors only, over one flat buffer of parameters
/// (the GPT's, in `ParameterLayout` order, or a task head's).
public final class AdamW {
    /// Number of parameters the moments cover.
    public let count: Int
    /// First-moment decay rate.
    public var beta1: Float
    /// Second-moment decay rate.
    public var beta2: Float
    /// Added to √v̂ in the denominator.
    public var eps: Float
    /// Decoupled weight decay coefficient (applied to the tensors marked as decaying).
    public var weightDecay: Float
    /// First moments (same order as the parameters); checkpointed with the model.
    public let m: UnsafeMutableBufferPointer<Float>
    /// Second moments (same order as the parameters); checkpointed with the model.
    public let v: UnsafeMutableBufferPointer<Float>

    /// Maximal runs of consecutive tensors that share one weight-decay setting.
    private let runs: [(range: Range<Int>, decays: Bool)]

    /// Creates an optimizer with zeroed moments for a GPT's parameters (decay on 2-D tensors).
    public convenience init(layout: ParameterLayout, beta1: Float = 0.9, beta2: Float = 0.95, eps: Float = 1e-8,
                            weightDecay: Float = 0.1) {
        self.init(tensors: layout.tensors.map { ($0.range, layout.decays($0)) }, count: layout.totalCount,
                  beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
    }

    /// Creates an optimizer with zeroed moments for `count` parameters made of `tensors`, each a
    /// range of the flat buffer and whether weight decay applies to it.
    public init(tensors: [(range: Range<Int>, decays: Bool)], count: Int, beta1: Float = 0.9, beta2: Float = 0.95,
                eps: Float = 1e-8, weightDecay: Float = 0.1) {
        self.count = count
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        m = .allocate(capacity: count)
        m.initialize(repeating: 0)
        v = .allocate(capacity: count)
        v.initialize(repeating: 0)
        var runs: [(range: Range<Int>, decays: Bool)] = []
        for t in tensors {
            if let last = runs.last, last.decays == t.decays, last.range.upperBound == t.range.lowerBound {
                runs[runs.count - 1].range = last.range.lowerBound..<t.range.upperBound
            } else {
                runs.append(t)
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

    /// One AdamW step; `step` is 1-based and drives the bias correction. One vectorized pass
    /// over parameters, gradients and moments (`adamwPass`), split over the kernel threads.
    public func update(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
                       learningRate lr: Float, step: Int) {
        forEachRun(parameters: parameters, gradients: gradients, learningRate: lr, step: step, adamwPass)
    }

    /// `update` computed one element at a time by the scalar definition: bit-identical to
    /// `update` (tests compare the two).
    public func updateElementwise(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
                                  learningRate lr: Float, step: Int) {
        forEachRun(parameters: parameters, gradients: gradients, learningRate: lr, step: step, adamwReference)
    }

    /// Calls `body` on each run of tensors with that run's step constants.
    private func forEachRun(
        parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>, learningRate lr: Float, step: Int,
        _ body: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                 Range<Int>, AdamWConstants) -> Void
    ) {
        precondition(step >= 1, "AdamW steps are 1-based")
        precondition(parameters.count == count && gradients.count == count)
        let correction1 = Float(1 - pow(Double(beta1), Double(step)))
        let correction2 = Float(1 - pow(Double(beta2), Double(step)))
        let p = parameters.baseAddress!, g = gradients.baseAddress!, m = m.baseAddress!, v = v.baseAddress!
        for run in runs {
            let constants = AdamWConstants(beta1: beta1, beta2: beta2, correction1: correction1, correction2: correction2,
                                           lr: lr, eps: eps, decay: run.decays ? lr * weightDecay : 0)
            body(p, g, m, v, run.range, constants)
        }
    }

    /// One AdamW step with mutable gradients (convenience for `model.gradients`).
    public func update(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeMutableBufferPointer<Float>,
                       learningRate: Float, step: Int) {
        update(parameters: parameters, gradients: UnsafeBufferPointer(gradients), learningRate: learningRate, step: step)
    }
}
