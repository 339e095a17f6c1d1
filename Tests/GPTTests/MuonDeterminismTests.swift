import Testing
import GPT

/// The tiny GPT's hidden matrices with random weights, and gradients for `steps` steps.
private struct TinyProblem {
    let layout: ParameterLayout
    let parameters: [Float]
    let gradients: [[Float]]

    init(steps: Int, config: GPTConfig = tinyConfig) {
        let layout = ParameterLayout(config: config)
        self.layout = layout
        parameters = uniformValues(layout.totalCount, seed: 3, scale: 0.2)
        gradients = (0..<steps).map { uniformValues(layout.totalCount, seed: 100 + UInt64($0)) }
    }
}

/// One replica per rank: each updates every momentum, orthogonalizes its share, takes the others'
/// shares as an all-gather would (copying each rank's packed range), and applies every update.
private func stepsSharedOverRanks(_ problem: TinyProblem, ranks: Int) -> (parameters: [[Float]], momentum: [[Float]]) {
    let replicas = (0..<ranks).map { _ in Muon(layout: problem.layout) }
    var parameters = [[Float]](repeating: problem.parameters, count: ranks)
    let assignment = replicas[0].assignment(ranks: ranks)
    for gradients in problem.gradients {
        gradients.withUnsafeBufferPointer { g in
            for (r, muon) in replicas.enumerated() {
                muon.updateMomentum(gradients: g)
                muon.orthogonalize(rank: r, of: assignment, gradients: g)
            }
        }
        for (r, range) in assignment.rankRanges.enumerated() {
            for other in replicas where other !== replicas[r] {
                _ = other.updates[range].update(fromContentsOf: replicas[r].updates[range])
            }
        }
        for (r, muon) in replicas.enumerated() {
            parameters[r].withUnsafeMutableBufferPointer { muon.apply(parameters: $0, assignment: assignment, learningRate: 0.02) }
        }
    }
    return (parameters, replicas.map { Array($0.momentumBuffer) })
}

/// Parameters and momentum after all of `problem`'s steps on one rank.
private func stepsOnOneRank(_ problem: TinyProblem) -> (parameters: [Float], momentum: [Float]) {
    let muon = Muon(layout: problem.layout)
    var parameters = problem.parameters
    for gradients in problem.gradients { muon.step(&parameters, gradients, learningRate: 0.02) }
    return (parameters, Array(muon.momentumBuffer))
}

@Suite struct MuonDeterminismTests {
    /// Every matrix has one owner, the packed ranges tile the buffer, and the largest load is
    /// within one matrix's cost of the smallest (greedy largest-first balance).
    @Test(arguments: [1, 2, 3, 5, 16])
    func assignmentCoversEveryMatrixOnceAndBalances(ranks: Int) {
        let muon = Muon(layout: ParameterLayout(config: GPTConfig(nLayer: 6, nHead: 6, nEmbd: 384, blockSize: 256, vocabSize: 8192)))
        let a = muon.assignment(ranks: ranks)
        #expect(a == muon.assignment(ranks: ranks))
        #expect((0..<ranks).flatMap { a.matrices(of: $0) }.sorted() == Array(muon.matrices.indices))
        #expect(a.rankRanges.first?.lowerBound == 0 && a.rankRanges.last?.upperBound == muon.count)
        #expect(zip(a.rankRanges, a.rankRanges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        for (i, m) in muon.matrices.enumerated() {
            #expect(a.rankRanges[a.owner[i]].contains(a.offsets[i]) && a.offsets[i] + m.count <= a.rankRanges[a.owner[i]].upperBound)
        }
        let largest = muon.matrices.map { $0.newtonSchulzFlops() }.max()!
        #expect(a.rankFlops.max()! - a.rankFlops.min()! <= largest)
        print("Muon assignment of gpt-small's 24 matrices over \(ranks) rank(s): NS GFLOP per rank \(a.rankFlops.map { Double($0) / 1e9 })")
    }

    /// Sharing the Newton–Schulz work over 2 or 3 ranks gives every rank the bits one rank gets alone.
    @Test(arguments: [2, 3])
    func sharedOverRanksEqualsOneRank(ranks: Int) {
        let problem = TinyProblem(steps: 3)
        let alone = stepsOnOneRank(problem)
        let shared = stepsSharedOverRanks(problem, ranks: ranks)
        #expect(alone.parameters != problem.parameters)
        for r in 0..<ranks {
            #expect(shared.parameters[r] == alone.parameters, "rank \(r) of \(ranks): parameters differ")
            #expect(shared.momentum[r] == alone.momentum, "rank \(r) of \(ranks): momentum differs")
        }
    }

    /// Momentum saved after two steps and restored into a fresh optimizer gives the same third step.
    @Test func momentumRoundTripResumesExactly() {
        let problem = TinyProblem(steps: 3)
        let original = Muon(layout: problem.layout)
        var parameters = problem.parameters
        for gradients in problem.gradients.prefix(2) { original.step(&parameters, gradients, learningRate: 0.02) }
        let saved = Array(original.momentumBuffer), savedParameters = parameters
        original.step(&parameters, problem.gradients[2], learningRate: 0.02)

        let resumed = Muon(layout: problem.layout)
        _ = resumed.momentumBuffer.update(fromContentsOf: saved)
        var resumedParameters = savedParameters
        resumed.step(&resumedParameters, problem.gradients[2], learningRate: 0.02)
        #expect(resumedParameters == parameters)
        #expect(Array(resumed.momentumBuffer) == Array(original.momentumBuffer))
        #expect(saved.contains { $0 != 0 })
    }

    /// 1, 2 or 3 kernel threads give the same bits; the matrices (128 × 512) are large enough for
    /// the Newton–Schulz product poly·X to be cut into two tiles.
    @Test func threadCountDoesNotChangeResults() {
        let problem = TinyProblem(steps: 2, config: GPTConfig(nLayer: 1, nHead: 2, nEmbd: 128, blockSize: 16, vocabSize: 64))
        let runs = [1, 2, 3].map { threads in
            KernelThreads.$scoped.withValue(threads) { stepsOnOneRank(problem) }
        }
        #expect(runs[0].parameters == runs[1].parameters && runs[0].parameters == runs[2].parameters)
        #expect(runs[0].momentum == runs[1].momentum && runs[0].momentum == runs[2].momentum)
    }
}
