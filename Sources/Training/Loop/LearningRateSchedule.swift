import Foundation
import RunConfig

/// The learning rate as a pure function of the step: linear warmup, then cosine, linear or
/// constant decay to `min_lr` at `max_steps` (nanoGPT's get_lr).
public struct LearningRateSchedule: Sendable {
    public let peak: Double
    public let minimum: Double
    public let warmupSteps: Int
    public let totalSteps: Int
    public let kind: String

    public init(_ t: TrainConfig.TrainingSection) {
        peak = t.lr
        minimum = t.minLr
        warmupSteps = t.warmupSteps
        totalSteps = t.maxSteps
        kind = t.schedule
    }

    /// The learning rate for 0-based `step`.
    public func rate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps + 1) }
        if kind == "constant" { return peak }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        let shape = kind == "linear" ? 1 - progress : 0.5 * (1 + cos(Double.pi * progress))
        return minimum + shape * (peak - minimum)
    }
}
