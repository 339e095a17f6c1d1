import Foundation
import Testing
import GPT

/// What reference/make_muon_fixture.py writes: torch.optim.Muon (float32 Newton–Schulz) over
/// five matrices, every array in the Swift side's stored layout.
private struct MuonReference: Decodable {
    struct Settings: Decodable {
        let lr: Float, weight_decay: Float, momentum: Float, nesterov: Bool
        let ns_coefficients: [Float], eps: Float, ns_steps: Int
    }
    struct Matrix: Decodable {
        let name: String, stored_shape: [Int], transposed: Bool
        let initial: [Float], grads: [[Float]], updates: [[Float]], params: [[Float]], params_bf16: [Float]
    }
    let settings: Settings
    let steps: Int
    let matrices: [Matrix]
}

private func loadReference() throws -> MuonReference {
    let url = try #require(Bundle.module.url(forResource: "muon_reference", withExtension: "json", subdirectory: "Fixtures"))
    return try JSONDecoder().decode(MuonReference.self, from: Data(contentsOf: url))
}

/// max |a[range] − b| over the elements of one matrix.
private func maxDiff(_ a: UnsafeMutableBufferPointer<Float>, from start: Int, _ b: [Float]) -> Float {
    b.indices.reduce(0) { max($0, abs(a[start + $1] - b[$1])) }
}

@Suite struct MuonReferenceTests {
    /// Three steps against torch.optim.Muon: every orthogonalized update and every parameter after
    /// each step to 1e-5; and within bfloat16's reach of torch's unchanged (bfloat16) run.
    @Test func matchesTorchMuonForThreeSteps() throws {
        let ref = try loadReference()
        let s = ref.settings
        let problem = MuonProblem(shapes: ref.matrices.map { ($0.stored_shape[0], $0.stored_shape[1], $0.transposed) })
        let coefficients = NewtonSchulzCoefficients(a: s.ns_coefficients[0], b: s.ns_coefficients[1], c: s.ns_coefficients[2])
        let muon = Muon(matrices: problem.matrices, momentum: s.momentum, nesterov: s.nesterov, weightDecay: s.weight_decay,
                        eps: s.eps, coefficients: coefficients, iterations: s.ns_steps)
        let one = muon.assignment(ranks: 1)
        let params = UnsafeMutableBufferPointer<Float>.allocate(capacity: problem.count)
        let grads = UnsafeMutableBufferPointer<Float>.allocate(capacity: problem.count)
        defer { params.deallocate(); grads.deallocate() }
        for (m, r) in zip(problem.matrices, ref.matrices) { _ = params[m.range].update(fromContentsOf: r.initial) }
        var worstUpdate: Float = 0, worstParameter: Float = 0, worstBF16: Float = 0
        for step in 0..<ref.steps {
            for (m, r) in zip(problem.matrices, ref.matrices) { _ = grads[m.range].update(fromContentsOf: r.grads[step]) }
            muon.updateMomentum(gradients: UnsafeBufferPointer(grads))
            muon.orthogonalize(rank: 0, of: one, gradients: UnsafeBufferPointer(grads))
            muon.apply(parameters: params, assignment: one, learningRate: s.lr)
            for (i, (m, r)) in zip(problem.matrices, ref.matrices).enumerated() {
                let u = maxDiff(muon.updates, from: one.offsets[i], r.updates[step])
                let p = maxDiff(params, from: m.offset, r.params[step])
                #expect(u <= 1e-5, "step \(step + 1), \(r.name): update off by \(u)")
                #expect(p <= 1e-5, "step \(step + 1), \(r.name): parameters off by \(p)")
                worstUpdate = max(worstUpdate, u)
                worstParameter = max(worstParameter, p)
            }
        }
        for (m, r) in zip(problem.matrices, ref.matrices) {
            worstBF16 = max(worstBF16, maxDiff(params, from: m.offset, r.params_bf16))
        }
        // torch's own run rounds Newton–Schulz to bfloat16; the script measured its float32 copy
        // 5e-4…1.2e-3 away from it after three steps.
        #expect(worstBF16 < 3e-3)
        print("Muon vs torch.optim.Muon (float32 NS), 3 steps: max |Δupdate| \(worstUpdate), max |Δparameter| \(worstParameter); vs torch's bfloat16 NS: \(worstBF16)")
    }

    /// NS₅ maps every singular value of a Frobenius-normalized input (here all ≥ 0.05) into
    /// [0.68, 1.14], the range its quintic reaches after five iterations; the input's are far below.
    @Test(arguments: [(16, 48, false), (48, 16, false), (24, 40, true), (40, 24, true)])
    func newtonSchulzOutputIsNearlyOrthogonal(shape: (Int, Int, Bool)) {
        let (rows, columns, transposed) = shape
        let problem = MuonProblem(shapes: [shape])
        let muon = Muon(matrices: problem.matrices, nesterov: false)
        let gradients = uniformValues(problem.count, seed: 77)
        // With the momentum equal to the gradient (μ = 0) the input is the gradient itself.
        muon.momentum = 0
        gradients.withUnsafeBufferPointer { g in
            muon.updateMomentum(gradients: g)
            muon.orthogonalize(rank: 0, of: muon.assignment(ranks: 1), gradients: g)
        }
        let input = singularValues(gradients, rows: rows, columns: columns)
        let norm = input.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let output = singularValues(Array(muon.updates), rows: rows, columns: columns)
        #expect(input.first! / norm > 0.05 && input.last! / norm < 0.5, "input σ/‖G‖ \(input.first! / norm)…\(input.last! / norm)")
        #expect(output.first! > 0.68 && output.last! < 1.14, "NS output σ \(output.first!)…\(output.last!)")
        print("\(rows)×\(columns)\(transposed ? " (stored transposed)" : ""): input σ/‖G‖ \(input.first! / norm)…\(input.last! / norm) → NS₅ σ \(output.first!)…\(output.last!)")
    }
}
