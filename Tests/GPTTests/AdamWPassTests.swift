import GPT
import Testing

/// AdamW's vectorized, threaded pass (`AdamW.update`) gives the same bits as the scalar
/// definition (`AdamW.updateElementwise`) at every thread count, over runs of decaying and
/// non-decaying tensors whose lengths are not multiples of the 8 lanes.
@Suite struct AdamWPassTests {
    /// Parameters, moments after `steps` updates, from seeded parameters and gradients.
    static func run(vectorized: Bool, threads: Int, steps: Int = 5) -> (parameters: [Float], m: [Float], v: [Float]) {
        KernelThreads.$scoped.withValue(threads) {
            let tensors: [(range: Range<Int>, decays: Bool)] = [(0..<517, true), (517..<530, false), (530..<1203, true)]
            let optimizer = AdamW(tensors: tensors, count: 1203, weightDecay: 0.1)
            var rng = SplitMix64(seed: 24)
            let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1203)
            let g = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1203)
            defer { p.deallocate(); g.deallocate() }
            for i in 0..<1203 { p[i] = Float.random(in: -1...1, using: &rng) }
            for step in 1...steps {
                // Gradients over many magnitudes, zeros included, so that √v̂ + eps takes every path.
                for i in 0..<1203 { g[i] = i % 97 == 0 ? 0 : Float.random(in: -1...1, using: &rng) * Float(1 << (i % 20)) / 1e4 }
                if vectorized {
                    optimizer.update(parameters: p, gradients: g, learningRate: 3e-3, step: step)
                } else {
                    optimizer.updateElementwise(parameters: p, gradients: UnsafeBufferPointer(g), learningRate: 3e-3, step: step)
                }
            }
            return (Array(p), Array(optimizer.m), Array(optimizer.v))
        }
    }

    @Test(arguments: [1, 2, 3, 4])
    func vectorizedPassIsBitIdenticalToTheScalarDefinition(threads: Int) {
        let reference = Self.run(vectorized: false, threads: 1)
        let fused = Self.run(vectorized: true, threads: threads)
        #expect(fused.parameters.map(\.bitPattern) == reference.parameters.map(\.bitPattern))
        #expect(fused.m.map(\.bitPattern) == reference.m.map(\.bitPattern))
        #expect(fused.v.map(\.bitPattern) == reference.v.map(\.bitPattern))
        // The update moved the parameters (a test that cannot pass by doing nothing).
        #expect(reference.parameters != Self.run(vectorized: false, threads: 1, steps: 1).parameters)
    }
}
