#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the wall-clock time of the last `Trainer.trainStep` went, in seconds.
///
/// `allReduceExposed` is the time the step waited for the gradient all-reduce after backward;
/// `allReduceTotal` runs from the first bucket's start to the last one's completion, so with
/// overlap it includes the time hidden behind backward. `idle` is everything else in the step
/// (loading batches, the loss sum, clipping, stragglers).
public struct StepTimings: Sendable, Equatable {
    public var forward = 0.0
    public var backward = 0.0
    public var allReduceExposed = 0.0
    public var allReduceTotal = 0.0
    public var optimizer = 0.0
    public var total = 0.0
    /// The gradient norm (summed across ranks where sharded) and the clipping multiply, part of `idle`.
    public var clipping = 0.0
    /// With exact sums: encoding micro-batch gradients into integer limbs, part of `backward`.
    public var exactEncode = 0.0
    /// With exact sums: rounding the summed limbs back to Floats, part of `allReduceExposed`.
    public var exactDecode = 0.0
    /// With overlap: backward's time in bucket starts and progress calls, part of `backward`.
    public var allReduceInBackward = 0.0

    public init() {}

    /// The step's time not accounted for by forward, backward, the exposed all-reduce and AdamW.
    public var idle: Double { max(0, total - forward - backward - allReduceExposed - optimizer) }
}

/// Monotonic seconds, for timing parts of a step without allocating.
@inline(__always)
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
