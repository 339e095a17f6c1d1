#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One kind of work in a training step: a row of `trainer bench --profile`.
public enum ProfiledKernel: Int, CaseIterable, Sendable {
    case encoderForward, layerNormForward, rmsNormForward, matmulForward, attentionForward, rotaryForward
    case geluForward, swigluForward, residual, lmHead, crossEntropy, headGradient
    case layerNormBackward, rmsNormBackward, matmulBackwardData, matmulBackwardWeights, attentionBackward
    case rotaryBackward, geluBackward, swigluBackward, encoderBackward, zeroGradients

    /// The row's name in the profile (and its JSON key).
    public var name: String {
        switch self {
        case .encoderForward: "encoder forward"
        case .layerNormForward: "layernorm forward"
        case .rmsNormForward: "rmsnorm forward"
        case .matmulForward: "matmul forward"
        case .attentionForward: "attention forward"
        case .rotaryForward: "rotary forward"
        case .geluForward: "gelu forward"
        case .swigluForward: "swiglu forward"
        case .residual: "residual copies"
        case .lmHead: "lm head matmuls"
        case .crossEntropy: "cross-entropy"
        case .headGradient: "lm head gradient add"
        case .layerNormBackward: "layernorm backward"
        case .rmsNormBackward: "rmsnorm backward"
        case .matmulBackwardData: "matmul backward-data"
        case .matmulBackwardWeights: "matmul backward-weights"
        case .attentionBackward: "attention backward"
        case .rotaryBackward: "rotary backward"
        case .geluBackward: "gelu backward"
        case .swigluBackward: "swiglu backward"
        case .encoderBackward: "encoder backward"
        case .zeroGradients: "zero gradients"
        }
    }

    /// True where the work is mostly sgemm (rated in GFLOP/s against the sgemm rate); the others
    /// are memory-bound passes (rated in GB/s against the measured bandwidth).
    public var isGEMM: Bool {
        switch self {
        case .matmulForward, .matmulBackwardData, .matmulBackwardWeights, .attentionForward, .attentionBackward, .lmHead: true
        default: false
        }
    }

    /// The kernels a step of `family` runs (llama's norm is RMSNorm, its MLP SwiGLU, and it has
    /// rotary embeddings; GPT-2 has LayerNorm and GELU).
    public static func expected(for family: ModelFamily) -> [ProfiledKernel] {
        let skipped: Set<ProfiledKernel> = switch family {
        case .gpt2: [.rmsNormForward, .rmsNormBackward, .rotaryForward, .rotaryBackward, .swigluForward, .swigluBackward]
        case .llama: [.layerNormForward, .layerNormBackward, .geluForward, .geluBackward]
        }
        return allCases.filter { !skipped.contains($0) }
    }
}

/// Seconds, bytes and FLOPs per kernel kind, summed over every call while a `GPTModel.profile`
/// is set. Bytes are estimates from the shapes: what a kernel reads and writes once (a lower
/// bound on its traffic); FLOPs count the sgemm work (2·m·n·k per product).
///
/// Reading the clock twice per call is the whole cost; with no profile set the model takes one
/// branch per kernel call. The profile never touches the numbers a kernel computes.
public final class KernelProfile {
    /// Seconds per kernel, indexed by `ProfiledKernel.rawValue`.
    public private(set) var seconds: [Double]
    /// Estimated bytes moved per kernel.
    public private(set) var bytes: [Double]
    /// sgemm FLOPs per kernel (0 for the memory-bound ones).
    public private(set) var flops: [Double]
    /// Calls per kernel.
    public private(set) var calls: [Int]

    /// An empty profile.
    public init() {
        let n = ProfiledKernel.allCases.count
        seconds = [Double](repeating: 0, count: n)
        bytes = seconds
        flops = seconds
        calls = [Int](repeating: 0, count: n)
    }

    /// Adds one timed call of `kernel`.
    public func add(_ kernel: ProfiledKernel, seconds s: Double, floats: Int, flops f: Int) {
        let i = kernel.rawValue
        seconds[i] += s
        bytes[i] += Double(floats) * Double(MemoryLayout<Float>.stride)
        flops[i] += Double(f)
        calls[i] += 1
    }

    /// Monotonic seconds.
    @inline(__always)
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

/// Runs `body`; with a profile, also adds its wall time, `floats` × 4 bytes and `flops` to
/// `kernel`'s row (the estimates are only evaluated when profiling).
@inline(__always)
func timed<R>(_ profile: KernelProfile?, _ kernel: ProfiledKernel, floats: @autoclosure () -> Int,
              flops: @autoclosure () -> Int = 0, _ body: () -> R) -> R {
    guard let profile else { return body() }
    let start = KernelProfile.now()
    let result = body()
    profile.add(kernel, seconds: KernelProfile.now() - start, floats: floats(), flops: flops())
    return result
}
