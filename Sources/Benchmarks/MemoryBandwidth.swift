import Dispatch
import GPT
import Training

/// A STREAM-like measurement of the memory bandwidth one rank gets, for the profile's
/// memory-bound rows: copy (b = a) and triad (a = b + s·c) over arrays far larger than the
/// caches, split over the kernel threads as the model's own passes are.
public enum MemoryBandwidth {
    /// GB/s (1e9 bytes) counted as STREAM does: copy moves 2 × 4 bytes per element, triad 3 × 4.
    public struct Result: Sendable, Codable, Equatable {
        public var copyGBs: Double
        public var triadGBs: Double
    }

    /// The best of `repetitions` passes of each, after one untimed pass (page faults).
    /// 2²⁴ floats per array (64 MiB, three arrays) is well past any L3 of this class of CPU.
    public static func measure(floats n: Int = 1 << 24, repetitions: Int = 5, threads: Int = KernelThreads.count) -> Result {
        let a = UnsafeMutablePointer<Float>.allocate(capacity: n), b = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        a.initialize(repeating: 1, count: n); b.initialize(repeating: 2, count: n); c.initialize(repeating: 0.5, count: n)
        let pointers = UncheckedPointers(a: a, b: b, c: c)
        let copy = best(repetitions, threads: threads, count: n) { range in
            let (src, dst) = (pointers.a, pointers.b)
            for i in range { dst[i] = src[i] }
        }
        let triad = best(repetitions, threads: threads, count: n) { range in
            let (x, y, z) = (pointers.a, pointers.b, pointers.c)
            for i in range { x[i] = y[i] + 3 * z[i] }
        }
        let bytes = Double(n * MemoryLayout<Float>.stride)
        return Result(copyGBs: 2 * bytes / copy / 1e9, triadGBs: 3 * bytes / triad / 1e9)
    }

    /// Seconds of the fastest of `repetitions` runs of `body` over `0..<count`, split in `threads` chunks.
    private static func best(_ repetitions: Int, threads: Int, count: Int, _ body: @escaping @Sendable (Range<Int>) -> Void) -> Double {
        let t = max(1, threads)
        func pass() {
            DispatchQueue.concurrentPerform(iterations: t) { i in body((count * i / t)..<(count * (i + 1) / t)) }
        }
        pass()
        var fastest = Double.infinity
        for _ in 0..<max(1, repetitions) {
            let start = monotonicSeconds()
            pass()
            fastest = min(fastest, monotonicSeconds() - start)
        }
        return fastest
    }

    /// The three arrays, shared by the chunks, each of which touches its own elements only.
    private struct UncheckedPointers: @unchecked Sendable {
        let a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>
    }
}
