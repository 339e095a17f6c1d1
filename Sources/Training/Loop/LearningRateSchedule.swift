import Foundation
import RunConfig

/// The learning rate as a pure function of the step: linear warmup, then cosine, linear or
/// constant decay to `min_lr` at `max_steps` (nanoGPT's get_lr), or "wsd": constant after warmup,
/// then linear to `min_lr` over the last `decay_fraction` of `max_steps`.
public struct LearningRateSchedule: Sendable {
    public let peak: Double
    public let minimum: Double
    public let warmupSteps: Int
    public let totalSteps: Int
    public let kind: String
    /// With "wsd": the first step of the decay, max(warmup, max_steps − round(decay_fraction × max_steps)).
    public let decayStart: Int

    public init(_ t: TrainConfig.TrainingSection) {
        peak = t.lr
        minimum = t.minLr
        warmupSteps = t.warmupSteps
        totalSteps = t.maxSteps
        kind = t.schedule
        decayStart = max(t.warmupSteps, t.maxSteps - Int((Double(t.maxSteps) * t.decayFraction).rounded()))
    }

    /// The learning rate for 0-based `step`.
    public func rate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps + 1) }
        if kind == "constant" { return peak }
        if kind == "wsd" { return stableThenDecay(at: step) }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        let shape = kind == "linear" ? 1 - progress : 0.5 * (1 + cos(Double.pi * progress))
        return minimum + shape * (peak - minimum)
    }

    /// "wsd" after warmup: the peak up to `decayStart` (exactly, not min + (peak − min)), then
    /// linear, reaching `minimum` at `max_steps` as "linear" does (the last step trains just above it).
    private func stableThenDecay(at step: Int) -> Double {
        if step <= decayStart { return peak }
        let progress = min(1, Double(step - decayStart) / Double(max(1, totalSteps - decayStart)))
        return minimum + (1 - progress) * (peak - minimum)
    }
}
