// GELU with GPT-2's tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).

private let geluScale: Float = 0.797_884_560_802_865_4  // √(2/π)

/// out = gelu(inp), elementwise over `count` values.
func geluForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    parallelFor(count) { range in
        for i in range {
            let x = inp[i]
            let t = fastTanh(geluScale * (x + 0.044715 * x * x * x))
            out[i] = 0.5 * x * (1 + t)
        }
    }
}

/// dx = gelu'(inp) · dx, in place: the buffer holds d(out) on entry and d(inp) on return.
func geluBackwardInPlace(dx: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
    parallelFor(count) { range in
        for i in range {
            let x = inp[i]
            let t = fastTanh(geluScale * (x + 0.044715 * x * x * x))
            let sech2 = 1 - t * t
            let local = 0.5 * (1 + t) + 0.5 * x * sech2 * geluScale * (1 + 3 * 0.044715 * x * x)
            dx[i] *= local
        }
    }
}
