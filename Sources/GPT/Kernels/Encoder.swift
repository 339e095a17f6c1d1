// out is (B, T, C); tokens are (B, T); wte is (V, C); wpe is (maxT, C), or nil for a model
// without learned positions (Llama: rotary positions inside attention).

/// out[b, t] = wte[tokens[b, t]] + wpe[t] (without wpe: wte[tokens[b, t]]).
func encoderForward(
    out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>,
    wte: UnsafePointer<Float>, wpe: UnsafePointer<Float>?, batch B: Int, sequence T: Int, channels C: Int
) {
    parallelFor(B * T) { range in
        for r in range {
            let o = out + r * C, e = wte + Int(tokens[r]) * C
            if let wpe {
                let p = wpe + (r % T) * C
                for i in 0..<C { o[i] = e[i] + p[i] }
            } else {
                o.update(from: e, count: C)
            }
        }
    }
}

/// dwte[tokens[b, t]] += dout[b, t] and dwpe[t] += dout[b, t] (when there is a dwpe);
/// single-threaded because rows scatter into shared embedding rows, and the fixed order keeps
/// it deterministic.
func encoderBackward(
    dwte: UnsafeMutablePointer<Float>, dwpe: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
    tokens: UnsafePointer<Int32>, batch B: Int, sequence T: Int, channels C: Int
) {
    for r in 0..<(B * T) {
        let g = dout + r * C, e = dwte + Int(tokens[r]) * C
        if let dwpe {
            let p = dwpe + (r % T) * C
            for i in 0..<C {
                e[i] += g[i]
                p[i] += g[i]
            }
        } else {
            for i in 0..<C { e[i] += g[i] }
        }
    }
}
