// Quintic Newton–Schulz orthogonalization (Keller Jordan's Muon, as torch.optim.Muon has it, in
// float32 instead of torch's bfloat16): X ← a·X + (b·A + c·A·A)·X with A = X·Xᵀ, on the wide
// orientation (m ≤ n) so that the Gram matrices are the small m × m ones.

/// The coefficients (a, b, c) of the quintic iteration; Muon's defaults maximize the slope at zero.
public struct NewtonSchulzCoefficients: Sendable, Equatable, Hashable {
    /// Coefficient of X.
    public var a: Float
    /// Coefficient of A·X.
    public var b: Float
    /// Coefficient of A²·X.
    public var c: Float

    /// Creates the coefficients (a, b, c).
    public init(a: Float, b: Float, c: Float) {
        self.a = a
        self.b = b
        self.c = c
    }

    /// (3.4445, −4.7750, 2.0315): Keller Jordan's, torch.optim.Muon's defaults.
    public static let muon = NewtonSchulzCoefficients(a: 3.4445, b: -4.7750, c: 2.0315)
}

/// Runs `iterations` Newton–Schulz steps on x (m, n), m ≤ n, already scaled to Frobenius norm ≤ 1.
/// y (m, n), gram and poly (m, m) are scratch. Returns the buffer holding the result (x or y).
/// Every product is one sgemm, whose elements do not depend on the thread count.
func newtonSchulz(
    x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>, gram: UnsafeMutablePointer<Float>,
    poly: UnsafeMutablePointer<Float>, rows m: Int, columns n: Int,
    coefficients k: NewtonSchulzCoefficients, iterations: Int
) -> UnsafeMutablePointer<Float> {
    precondition(m <= n, "Newton–Schulz runs on the wide orientation")
    var x = x, y = y
    for _ in 0..<iterations {
        // gram (m, m) = x·xᵀ
        sgemm(transA: false, transB: true, m: m, n: m, k: n, alpha: 1, a: x, lda: n, b: x, ldb: n,
              beta: 0, c: gram, ldc: m)
        // poly (m, m) = b·gram + c·gram·gram   (torch.addmm(gram, gram, gram, beta=b, alpha=c))
        poly.update(from: gram, count: m * m)
        sgemm(transA: false, transB: false, m: m, n: m, k: m, alpha: k.c, a: gram, lda: m, b: gram, ldb: m,
              beta: k.b, c: poly, ldc: m)
        // y (m, n) = a·x + poly·x   (torch.addmm(x, poly, x, beta=a))
        y.update(from: x, count: m * n)
        sgemm(transA: false, transB: false, m: m, n: n, k: m, alpha: 1, a: poly, lda: m, b: x, ldb: n,
              beta: k.a, c: y, ldc: n)
        swap(&x, &y)
    }
    return x
}
