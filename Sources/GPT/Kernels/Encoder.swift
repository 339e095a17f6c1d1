// out is (B, T, C); tokens are (B, T); wte is (V, C); wpe is (maxT, C).

/// out[b, t] = wte[tokens[b, t]] + wpe[t].
func encoderForward(
    out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>,
    wte: UnsafePointer<Float>, wpe: UnsafePointer<Float>, batch B: Int, sequence T: Int, channels C: Int
) {
    parallelFor(B * T) { range in
        for r in range {
            let o = out + r * C, e = wte + Int(tokens[r]) * C, p = wpe + (r % T) * C
            for i in 0..<C { o[i] = e[i] + p[i] }
        }
    }
}

/// dwte[tokens[b, t]] += dout[b, t] and dwpe[t] += dout[b, t]; single-threaded because
/// rows scatter into shared embedding rows, and the fixed order keeps it deterministic.
func encoderBackward(
    dwte: UnsafeMutablePointer<Float>, dwpe: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
    tokens: UnsafePointer<Int32>, batch B: Int, sequence T: Int, channels C: Int
) {
    for r in 0..<(B * T) {
        let g = dout + r * C, e = dwte + Int(tokens[r]) * C, p = dwpe + (r % T) * C
        for i in 0..<C {
            e[i] += g[i]
            p[i] += g[i]
        }
    }
}
