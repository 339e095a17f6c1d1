import Collectives
import GPT
import Testing
import TestSupport

/// The all-gather that shares Muon's updates, through `Communicator` (ThreadWorld's ranks), and
/// the matrices Muon takes in a Llama.
@Suite struct MuonAllGatherTests {
    /// Uneven ranges, one of them empty: every rank ends with every rank's values, unchanged.
    @Test func everyRankGetsEveryRange() {
        let ranges = [0..<4, 4..<4, 4..<9, 9..<10]
        let results = ThreadWorld(size: ranges.count).run { comm in
            var buffer = [Float](repeating: -1, count: 10)
            for i in ranges[comm.rank] { buffer[i] = Float(1000 * comm.rank + i) }
            buffer.withUnsafeMutableBufferPointer { try! comm.allGather($0, ranges: ranges) }
            return buffer
        }
        let expected = (0..<10).map { i in Float(1000 * ranges.firstIndex { $0.contains(i) }! + i) }
        for (r, buffer) in results.enumerated() { #expect(buffer == expected, "rank \(r)") }
    }

    /// A world of one needs no copy; a range list that is not one range within the buffer is an error.
    @Test func localWorldKeepsItsRangeAndRefusesOthers() throws {
        let comm = LocalCommunicator()
        var values: [Float] = [1, 2, 3]
        try values.withUnsafeMutableBufferPointer { try comm.allGather($0, ranges: [0..<3]) }
        #expect(values == [1, 2, 3])
        #expect(throws: CollectiveError.self) {
            try values.withUnsafeMutableBufferPointer { try comm.allGather($0, ranges: [0..<2, 2..<3]) }
        }
    }

    /// Muon steps shared over 3 ranks that exchange updates with `allGather` give each rank the
    /// bits of one rank alone, for GPT-2 and Llama.
    @Test(arguments: [tinyConfig, tinyLlamaConfig])
    func muonOverAllGatherEqualsOneRank(config: GPTConfig) {
        let layout = ParameterLayout(config: config)
        let start = uniformValues(layout.totalCount, seed: 5, scale: 0.2)
        let gradients = (0..<3).map { uniformValues(layout.totalCount, seed: 200 + UInt64($0)) }
        let alone = Muon(layout: layout)
        var expected = start
        for g in gradients { alone.step(&expected, g, learningRate: 0.02) }
        let results = ThreadWorld(size: 3).run { comm in
            let muon = Muon(layout: layout)
            let assignment = muon.assignment(ranks: comm.size)
            var parameters = start
            for g in gradients {
                g.withUnsafeBufferPointer { g in
                    muon.updateMomentum(gradients: g)
                    muon.orthogonalize(rank: comm.rank, of: assignment, gradients: g)
                }
                try! comm.allGather(muon.updates, ranges: assignment.rankRanges)
                parameters.withUnsafeMutableBufferPointer { muon.apply(parameters: $0, assignment: assignment, learningRate: 0.02) }
            }
            return (parameters, Array(muon.momentumBuffer))
        }
        #expect(expected != start)
        for (r, result) in results.enumerated() {
            #expect(result.0 == expected, "rank \(r): parameters differ")
            #expect(result.1 == Array(alone.momentumBuffer), "rank \(r): momentum differs")
        }
    }

    /// Llama's Muon matrices: the seven nn.Linear (out, in) projections of each block, stored as
    /// the math matrix (not transposed); embeddings, the untied head and the norms stay with AdamW.
    @Test func llamaMuonMatricesAreTheBlocksProjections() {
        let layout = ParameterLayout(config: tinyQwenConfig)
        let matrices = layout.muonMatrices
        let names = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]
        #expect(matrices.map(\.name) == (0..<tinyQwenConfig.nLayer).flatMap { l in names.map { "model.layers.\(l).\($0).weight" } })
        #expect(matrices.allSatisfy { !$0.transposed && [$0.rows, $0.columns] == layout.tensor(named: $0.name)!.shape })
        let C = tinyQwenConfig.nEmbd, I = tinyQwenConfig.resolvedIntermediateSize
        #expect(matrices[4].mathRows == I && matrices[4].mathColumns == C)
        #expect(matrices[4].learningRateScale == (Double(I) / Double(C)).squareRoot() && matrices[6].learningRateScale == 1)
        #expect(!matrices.contains { $0.name.hasPrefix("lm_head") || $0.name.contains("embed") || $0.name.contains("norm") })
    }
}
