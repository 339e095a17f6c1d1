import GPT

/// Eigenvalues of the symmetric n × n matrix `a` (row-major), by cyclic Jacobi rotations in Double.
func symmetricEigenvalues(_ a: [Double], n: Int) -> [Double] {
    var a = a
    for _ in 0..<100 {
        var off = 0.0
        for p in 0..<n { for q in (p + 1)..<n { off += a[p * n + q] * a[p * n + q] } }
        if off < 1e-24 { break }
        for p in 0..<n {
            for q in (p + 1)..<n where a[p * n + q] != 0 {
                let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
                let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<n {  // columns p, q
                    let akp = a[k * n + p], akq = a[k * n + q]
                    a[k * n + p] = c * akp - s * akq
                    a[k * n + q] = s * akp + c * akq
                }
                for k in 0..<n {  // rows p, q
                    let apk = a[p * n + k], aqk = a[q * n + k]
                    a[p * n + k] = c * apk - s * aqk
                    a[q * n + k] = s * apk + c * aqk
                }
            }
        }
    }
    return (0..<n).map { a[$0 * n + $0] }
}

/// Singular values of the rows × columns matrix `m` (row-major): √eigenvalues of the smaller Gram matrix.
func singularValues(_ m: [Float], rows: Int, columns: Int) -> [Double] {
    let k = min(rows, columns)
    var gram = [Double](repeating: 0, count: k * k)
    for i in 0..<k {
        for j in 0..<k {
            var s = 0.0
            if rows <= columns {
                for c in 0..<columns { s += Double(m[i * columns + c]) * Double(m[j * columns + c]) }
            } else {
                for r in 0..<rows { s += Double(m[r * columns + i]) * Double(m[r * columns + j]) }
            }
            gram[i * k + j] = s
        }
    }
    return symmetricEigenvalues(gram, n: k).map { max($0, 0).squareRoot() }.sorted()
}

/// Uniform values in [-scale, scale) from a seeded generator.
func uniformValues(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in (Float(rng.next() >> 40) / Float(1 << 24) * 2 - 1) * scale }
}

/// A flat parameter buffer holding `matrices` back to back (offsets as given), and its gradients.
struct MuonProblem {
    let matrices: [MuonMatrix]
    let count: Int

    /// Matrices of the given stored shapes (rows, columns, transposed), laid out in order.
    init(shapes: [(Int, Int, Bool)]) {
        var offset = 0, list: [MuonMatrix] = []
        for (i, (r, c, t)) in shapes.enumerated() {
            list.append(MuonMatrix(name: "m\(i)", offset: offset, rows: r, columns: c, transposed: t))
            offset += r * c
        }
        matrices = list
        count = offset
    }
}

extension Muon {
    /// One step on one rank over Swift arrays.
    func step(_ parameters: inout [Float], _ gradients: [Float], learningRate: Float) {
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in step(parameters: p, gradients: g, learningRate: learningRate) }
        }
    }
}
