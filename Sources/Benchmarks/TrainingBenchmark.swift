import Collectives
import Foundation
import GPT
import Training

/// `trainer bench`'s training measurement: a few in-memory steps, then sgemm at 2048³ and the
/// model's own shapes, all ranks at once.
    public enum TrainingBenchmark {
    /// Every rank: trains `steps` steps in memory, then measures sgemm; returns the reduction over ranks.
public static func measure(config: TrainConfig, configPath: String, steps: Int, comm: Communicator, coreNote: String) throws -> BenchReport {
        let threads = RunSetup.configureThreads()
        let data = try RunSetup.prepareData(config: config, comm: comm, progress: .silent)
        let trainer = try comm.agree { try Trainer(config: config, comm: comm, data: data) }!
        try trainer.initializeWeights()
        _ = try trainer.trainStep(learningRate: config.training.lr)  // warm-up: page faults, BLAS buffers
        var sums = [Double](repeating: 0, count: 6)
        for _ in 0..<max(1, steps) {
            _ = try trainer.trainStep(learningRate: config.training.lr)
            let t = trainer.timings
            for (i, v) in [t.forward, t.backward, t.allReduceExposed, t.allReduceTotal, t.optimizer, t.total].enumerated() { sums[i] += v }
        }
        let perStep = sums.map { $0 / Double(max(1, steps)) }
        let peakRSS = peakResidentBytes()

        // sgemm after training, so its buffers do not count in the peak memory; all ranks at once.
        let check = SgemmBenchmark.correctnessError()
        try comm.barrier()
        let peak = SgemmBenchmark.measure(.init("2048³", m: 2048, n: 2048, k: 2048))
        var shapes = SgemmBenchmark.modelShapes(config: config)
        for i in shapes.indices {
            try comm.barrier()
            shapes[i].gflops = SgemmBenchmark.measure(shapes[i])
        }

        // Gather every rank's numbers on every rank (a sum of one-hot slots), then reduce.
        let mine = perStep + [Double(peakRSS), peak, check] + shapes.map(\.gflops)
        let k = mine.count
        var slots = [Double](repeating: 0, count: k * comm.size)
        for i in 0..<k { slots[comm.rank * k + i] = mine[i] }
        let all = try comm.sum(slots)
        func column(_ i: Int) -> [Double] { (0..<comm.size).map { all[$0 * k + i] } }
        func maxOf(_ i: Int) -> Double { column(i).max()! }
        func meanOf(_ i: Int) -> Double { column(i).reduce(0, +) / Double(comm.size) }
        for i in shapes.indices { shapes[i].gflops = meanOf(9 + i) }

        let params = trainer.model.layout.totalCount
        let estimate = 16 * params + GPTModel.activationBytes(config: config.model, batch: trainer.plan.microBatch, sequence: trainer.plan.sequence)
        let stepSeconds = maxOf(5)
        return BenchReport(
            config: configPath, ranks: comm.size, blasThreads: threads, kernelThreads: KernelThreads.count,
            core: RunSetup.blasCoreName, coreNote: coreNote, sgemmCheckError: maxOf(8),
            sgemmPeakPerRank: meanOf(7), sgemmPeakTotal: column(7).reduce(0, +), shapes: shapes,
            tokensPerStep: trainer.plan.tokensPerStep, stepMs: stepSeconds * 1000,
            forwardMs: maxOf(0) * 1000, backwardMs: maxOf(1) * 1000, allReduceExposedMs: maxOf(2) * 1000,
            allReduceTotalMs: maxOf(3) * 1000, optimizerMs: maxOf(4) * 1000,
            flopsPerToken: GPTModel.flopsPerToken(config: config.model, sequence: trainer.plan.sequence),
            peakRSSBytes: Int(maxOf(6)), estimateBytes: estimate, parameters: params, steps: steps,
            overlap: config.distributed.overlap && comm.size > 1, bucketMb: config.distributed.bucketMb)
    }

    /// Peak resident set of this process (Linux ru_maxrss is in KiB).
    public static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}
