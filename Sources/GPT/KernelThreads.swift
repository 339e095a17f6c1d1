import CBLAS
import Dispatch

/// How many threads the kernels use, the products' tiles included; results do not depend on it.
public enum KernelThreads {
    /// Thread count for the products' tiles, layernorm, GELU, softmax/cross-entropy and attention's (batch, head) loop.
    /// Set once at start-up, before any forward pass; it is read without synchronisation.
    nonisolated(unsafe) public static var count: Int = 1

    /// A count for the kernels called inside `KernelThreads.$scoped.withValue(n) { ... }` only, on
    /// that task, leaving `count` and every other caller alone (tests compare thread counts this way
    /// while other tests run).
    @TaskLocal public static var scoped: Int?

    /// The count the kernels use here: `scoped` where bound, else `count`.
    public static var current: Int { scoped ?? count }

    /// Sets the kernels, the products' tiles included, to `threads` and returns the count taken
    /// (OpenBLAS's cap on the count it was built for, which also bounds how many threads may call
    /// it at once). OpenBLAS itself is left at one thread (see `TiledSgemm.swift`). Call once at start-up.
    @discardableResult
    public static func configure(threads: Int) -> Int {
        openblas_set_num_threads(Int32(clamping: max(1, threads)))
        count = max(1, Int(openblas_get_num_threads()))
        openblas_set_num_threads(1)
        return count
    }

    /// OpenBLAS's name for the kernels it runs on this CPU, e.g. "SkylakeX" or "Haswell".
    public static var blasCoreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }
}

/// Splits `0..<count` into one contiguous chunk per thread and runs `body` on each.
///
/// Callers guarantee that every output element is written by exactly one chunk and that no
/// Float reduction crosses chunks, which keeps results bit-identical for any thread count.
@inline(__always)
func parallelFor(_ count: Int, _ body: (Range<Int>) -> Void) {
    let threads = min(KernelThreads.current, count)
    if threads <= 1 {
        if count > 0 { body(0..<count) }
        return
    }
    // The kernels' closures capture raw pointers, which are not Sendable; the disjoint-rows
    // contract above is what makes sharing them safe.
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: threads) { i in
            shared.value((count * i / threads)..<(count * (i + 1) / threads))
        }
    }
}

/// Carries a value into a @Sendable closure when the caller guarantees safe sharing.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
