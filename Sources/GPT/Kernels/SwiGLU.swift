// Llama's MLP activation: out = silu(gate) · up, silu(x) = x·σ(x). gate and up are the two
// I-wide halves of each (rows, 2I) row that one sgemm with the stacked [gate_proj; up_proj]
// weights writes: gate at columns 0..<I, up at I..<2I.

/// σ(x) = 1/(1 + e^(−x)) with the vectorizable exp.
@inline(__always)
private func sigmoid(_ x: Float) -> Float { 1 / (1 + fastExp(-x)) }

/// out (rows, I) = silu(gateUp[:, :I]) · gateUp[:, I:].
func swigluForward(out: UnsafeMutablePointer<Float>, gateUp: UnsafePointer<Float>, rows: Int, hidden I: Int) {
    parallelFor(rows) { range in
        for r in range {
            let g = gateUp + r * 2 * I, u = g + I, o = out + r * I
            for j in 0..<I { o[j] = g[j] * sigmoid(g[j]) * u[j] }
        }
    }
}

/// dgateUp (rows, 2I), overwritten: d gate = dout·up·silu'(gate), d up = dout·silu(gate), with
/// silu'(x) = σ(x)·(1 + x·(1 − σ(x))).
func swigluBackward(
    dgateUp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, gateUp: UnsafePointer<Float>, rows: Int, hidden I: Int
) {
    parallelFor(rows) { range in
        for r in range {
            let g = gateUp + r * 2 * I, u = g + I, d = dout + r * I
            let dg = dgateUp + r * 2 * I, du = dg + I
            for j in 0..<I {
                let x = g[j], sig = sigmoid(x)
                du[j] = d[j] * x * sig
                dg[j] = d[j] * u[j] * sig * (1 + x * (1 - sig))
            }
        }
    }
}
