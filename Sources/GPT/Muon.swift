/// Muon (Keller Jordan) for 2-D hidden weight matrices, as torch.optim.Muon computes it, with
/// Newton–Schulz in float32 (torch's is bfloat16).
///
/// One step, on every rank, in three calls so that the Newton–Schulz work can be shared:
/// 1. `updateMomentum(gradients:)`, every matrix: B ← μ·B + (1 − μ)·G.
/// 2. `orthogonalize(rank:of:gradients:)`, the rank's share: U = NS₅(G + μ·(B − G)) (Nesterov),
///    written into `updates` at the assignment's offsets. Then the ranks all-gather `updates`.
/// 3. `apply(parameters:assignment:learningRate:)`, every matrix: W ← (1 − lr·λ)·W − lr·s·U with
///    s = √max(1, out/in) of the math matrix (torch's default `adjust_lr_fn`).
/// The only state is `momentumBuffer`; there is no step count.
public final class Muon {
    /// The matrices this optimizer updates, in the order of `momentumBuffer`.
    public let matrices: [MuonMatrix]
    /// Elements in all matrices together: the size of `momentumBuffer` and `updates`.
    public let count: Int
    /// Momentum coefficient μ (torch's default 0.95).
    public var momentum: Float
    /// Whether the orthogonalized input is the Nesterov look-ahead G + μ·(B − G) rather than B.
    public var nesterov: Bool
    /// Decoupled weight decay λ: W ← (1 − lr·λ)·W before the update (torch: unadjusted lr).
    public var weightDecay: Float
    /// Floor of the Frobenius norm the input is divided by (torch's 1e-7).
    public var eps: Float
    /// Newton–Schulz coefficients (a, b, c).
    public var coefficients: NewtonSchulzCoefficients
    /// Newton–Schulz iterations (5).
    public var iterations: Int
    /// Momentum B of each matrix, concatenated in `matrices` order, each in its stored layout;
    /// checkpointed with the model (torch's `momentum_buffer`). The same on every rank.
    public let momentumBuffer: UnsafeMutableBufferPointer<Float>
    /// Orthogonalized updates, packed by a `MuonAssignment` (rank by rank), each in its matrix's
    /// stored layout. Scratch within a step, not state.
    public let updates: UnsafeMutableBufferPointer<Float>

    /// Each matrix's first element in `momentumBuffer`.
    private let momentumOffsets: [Int]
    /// Newton–Schulz scratch sized for the largest matrix: two (m, n) and two (m, m) buffers.
    private let x, y, gram, poly: UnsafeMutableBufferPointer<Float>

    /// Creates an optimizer with zeroed momentum for `matrices` (which must not overlap).
    public init(matrices: [MuonMatrix], momentum: Float = 0.95, nesterov: Bool = true, weightDecay: Float = 0.1,
                eps: Float = 1e-7, coefficients: NewtonSchulzCoefficients = .muon, iterations: Int = 5) {
        self.matrices = matrices
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.eps = eps
        self.coefficients = coefficients
        self.iterations = iterations
        var offsets: [Int] = [], total = 0
        for matrix in matrices {
            offsets.append(total)
            total += matrix.count
        }
        count = total
        momentumOffsets = offsets
        momentumBuffer = .allocate(capacity: total)
        momentumBuffer.initialize(repeating: 0)
        updates = .allocate(capacity: total)
        updates.initialize(repeating: 0)
        let wide = matrices.map(\.count).max() ?? 0
        let square = matrices.map { min($0.rows, $0.columns) * min($0.rows, $0.columns) }.max() ?? 0
        x = .allocate(capacity: wide)
        y = .allocate(capacity: wide)
        gram = .allocate(capacity: square)
        poly = .allocate(capacity: square)
    }

    /// Creates an optimizer for a GPT's hidden matrices (`ParameterLayout.muonMatrices`).
    public convenience init(layout: ParameterLayout, momentum: Float = 0.95, weightDecay: Float = 0.1) {
        self.init(matrices: layout.muonMatrices, momentum: momentum, weightDecay: weightDecay)
    }

    deinit {
        for buffer in [momentumBuffer, updates, x, y, gram, poly] { buffer.deallocate() }
    }

    /// Sets the momentum to zero.
    public func reset() {
        momentumBuffer.update(repeating: 0)
    }

    /// The cost-balanced assignment of this optimizer's matrices to `ranks` ranks.
    public func assignment(ranks: Int) -> MuonAssignment {
        MuonAssignment(matrices: matrices, ranks: ranks, iterations: iterations)
    }

    /// Step part 1, for every matrix on every rank: B ← B + (1 − μ)·(G − B) (torch's lerp_).
    public func updateMomentum(gradients: UnsafeBufferPointer<Float>) {
        let weight = Float(1 - Double(momentum))
        for (i, matrix) in matrices.enumerated() {
            precondition(matrix.range.upperBound <= gradients.count, "\(matrix.name) lies outside the gradients")
            let b = momentumBuffer.baseAddress! + momentumOffsets[i], g = gradients.baseAddress! + matrix.offset
            parallelFor(matrix.count) { range in
                for j in range { b[j] = lerp(b[j], g[j], weight) }
            }
        }
    }

    /// Step part 2: orthogonalizes the Nesterov inputs of `rank`'s matrices under `assignment`
    /// into `updates`. Each matrix's result depends only on its gradient and momentum, so it has
    /// the same bits whichever rank computes it.
    public func orthogonalize(rank: Int, of assignment: MuonAssignment, gradients: UnsafeBufferPointer<Float>) {
        precondition(assignment.owner.count == matrices.count, "the assignment is for other matrices")
        for i in assignment.matrices(of: rank) {
            orthogonalize(matrix: i, gradients: gradients, into: updates.baseAddress! + assignment.offsets[i])
        }
    }

    /// Step part 3, for every matrix on every rank once `updates` holds every matrix's update:
    /// W ← (1 − lr·λ)·W − lr·s·U.
    public func apply(parameters: UnsafeMutableBufferPointer<Float>, assignment: MuonAssignment, learningRate lr: Float) {
        precondition(assignment.owner.count == matrices.count, "the assignment is for other matrices")
        let decay = Float(1 - Double(lr) * Double(weightDecay))
        for (i, matrix) in matrices.enumerated() {
            precondition(matrix.range.upperBound <= parameters.count, "\(matrix.name) lies outside the parameters")
            let step = Float(Double(lr) * matrix.learningRateScale)
            let p = parameters.baseAddress! + matrix.offset, u = UnsafePointer(updates.baseAddress! + assignment.offsets[i])
            parallelFor(matrix.count) { range in
                for j in range { p[j] = p[j] * decay - step * u[j] }
            }
        }
    }

    /// One whole step on one rank (every matrix orthogonalized here).
    public func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
                     learningRate: Float) {
        let all = assignment(ranks: 1)
        updateMomentum(gradients: gradients)
        orthogonalize(rank: 0, of: all, gradients: gradients)
        apply(parameters: parameters, assignment: all, learningRate: learningRate)
    }

    /// NS₅ of matrix `i`'s Nesterov input, written to `out` in the matrix's stored layout.
    private func orthogonalize(matrix i: Int, gradients: UnsafeBufferPointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let matrix = matrices[i]
        precondition(matrix.range.upperBound <= gradients.count, "\(matrix.name) lies outside the gradients")
        let g = gradients.baseAddress! + matrix.offset, b = UnsafePointer(momentumBuffer.baseAddress! + momentumOffsets[i])
        let flip = matrix.orthogonalizesTranspose
        let m = flip ? matrix.columns : matrix.rows, n = flip ? matrix.rows : matrix.columns
        let x = self.x.baseAddress!, mu = momentum, nesterov = nesterov
        // x (m, n): the Nesterov input, in the orientation Newton–Schulz runs on.
        for r in 0..<matrix.rows {
            for c in 0..<matrix.columns {
                let s = r * matrix.columns + c
                x[flip ? c * n + r : s] = nesterov ? lerp(g[s], b[s], mu) : b[s]
            }
        }
        // Divided, not multiplied by the reciprocal, as torch's div_ does.
        let norm = max(GradientClipping.globalNorm(UnsafeBufferPointer(start: x, count: m * n)), eps)
        for j in 0..<(m * n) { x[j] /= norm }
        let result = newtonSchulz(x: x, y: y.baseAddress!, gram: gram.baseAddress!, poly: poly.baseAddress!,
                                  rows: m, columns: n, coefficients: coefficients, iterations: iterations)
        for r in 0..<matrix.rows {
            for c in 0..<matrix.columns {
                out[r * matrix.columns + c] = result[flip ? c * n + r : r * matrix.columns + c]
            }
        }
    }
}

/// torch's lerp: start + w·(end − start) for |w| < 0.5, else end − (1 − w)·(end − start), which
/// is exact at w = 1.
@inline(__always)
private func lerp(_ start: Float, _ end: Float, _ w: Float) -> Float {
    abs(w) < 0.5 ? start + w * (end - start) : end + (w - 1) * (end - start)
}
