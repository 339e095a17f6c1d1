import Testing
import GPT

/// globalNorm, clipping above the threshold, no-op below it and with maxNorm 0.
@Test func clippingScalesOnlyAboveTheThreshold() {
    var grads: [Float] = (0..<1001).map { Float($0 % 7) - 3 }  // odd length exercises the tail
    let expected = Float(grads.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot())
    grads.withUnsafeMutableBufferPointer { g in
        #expect(abs(GradientClipping.globalNorm(g) - expected) <= 1e-6 * expected)

        let disabled = GradientClipping.clip(g, maxNorm: 0)
        #expect(disabled.scale == 1 && disabled.norm == GradientClipping.globalNorm(g))
        let below = GradientClipping.clip(g, maxNorm: expected * 2)
        #expect(below.scale == 1)
        #expect(g[0] == -3)

        let clipped = GradientClipping.clip(g, maxNorm: 1)
        #expect(abs(clipped.norm - expected) <= 1e-6 * expected)
        #expect(abs(clipped.scale - 1 / expected) <= 1e-6 / expected)
        #expect(abs(GradientClipping.globalNorm(g) - 1) < 1e-5)
    }
}
