import Testing
import GPT

@Suite struct MuonLayoutTests {
    /// GPT-2's Muon matrices: the four hidden weights of each block, Conv1D-stored, with the lr
    /// scale of the math (out, in) matrix: c_attn (3C, C) √3, c_fc (4C, C) 2, the projections 1.
    @Test func gpt2MuonMatricesAreTheBlocksHiddenWeights() {
        let layout = ParameterLayout(config: tinyConfig)
        let matrices = layout.muonMatrices
        let C = tinyConfig.nEmbd
        #expect(matrices.map(\.name) == (0..<tinyConfig.nLayer).flatMap { l in
            ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"].map { "h.\(l).\($0)" }
        })
        for m in matrices {
            let tensor = layout.tensor(named: m.name)!
            #expect(m.range == tensor.range && [m.rows, m.columns] == tensor.shape && m.transposed)
        }
        #expect(matrices[0].mathRows == 3 * C && matrices[0].mathColumns == C)
        #expect(matrices.prefix(4).map(\.learningRateScale) == [Double(3).squareRoot(), 1, 2, 1])
        #expect(matrices.reduce(0) { $0 + $1.count } == 12 * C * C * tinyConfig.nLayer)
    }

    /// AdamW with nothing excluded is today's AdamW bit for bit; with the Muon matrices excluded it
    /// leaves them alone and updates every other tensor exactly as the full AdamW does.
    @Test func adamWSkipsTheMuonMatrices() {
        let layout = ParameterLayout(config: tinyConfig)
        let start = uniformValues(layout.totalCount, seed: 8, scale: 0.2)
        let gradients = [uniformValues(layout.totalCount, seed: 9), uniformValues(layout.totalCount, seed: 10)]
        func run(_ adam: AdamW) -> [Float] {
            var p = start
            for (i, g) in gradients.enumerated() {
                p.withUnsafeMutableBufferPointer { p in
                    g.withUnsafeBufferPointer { adam.update(parameters: p, gradients: $0, learningRate: 1e-3, step: i + 1) }
                }
            }
            return p
        }
        let full = run(AdamW(layout: layout))
        #expect(run(AdamW(layout: layout, excluding: [])) == full)
        let matrices = layout.muonMatrices
        let hybrid = run(AdamW(layout: layout, excluding: matrices))
        for t in layout.tensors {
            let excluded = matrices.contains { $0.range == t.range }
            let expected = excluded ? start[t.range] : full[t.range]
            #expect(hybrid[t.range] == expected, "\(t.name)")
        }
        #expect(full[matrices[0].range] != start[matrices[0].range])
    }
}
