import Collectives
import Foundation
import GPT
import RunConfig
import Training

/// `trainer bench`'s training measurement: a few in-memory steps, then sgemm at 2048³ and the
/// model's own shapes, all ranks at once.
public enum TrainingBenchmark {
    /// Every rank: trains `steps` steps in memory, then measures sgemm; returns the reduction over ranks.
    /// With `profile`, the timed steps are also profiled by kernel and the memory bandwidth is measured.
    public static func measure(inputs: RunInputs, configPath: String, steps: Int, comm: Communicator, coreNote: String,
                               profile: Bool = false) throws -> BenchReport {
        let config = inputs.config
        let threads = RunSetup.configureThreads()
        let baseline = ResidentMemory.current()
        // The trainer a training run would build, at step 0, without checkpoints or evaluation.
        let trainer = try TrainingRun(inputs: inputs, resume: nil, untilStep: nil, acceptInexactResume: false)
            .startFresh(comm: comm, progress: .silent)
        _ = try trainer.trainStep(learningRate: config.training.lr)  // warm-up: page faults, BLAS buffers
        var timings: [[StepTimings]] = []
        let kernels = profile ? KernelProfile() : nil
        trainer.model.profile = kernels
        for _ in 0..<max(1, steps) {
            _ = try trainer.trainStep(learningRate: config.training.lr)
            timings.append(try StepSplit.gather(trainer.timings, comm: comm))
        }
        trainer.model.profile = nil
        let split = StepSplit(steps: timings)
        let peakRSS = ResidentMemory.peak()

        // sgemm after training, so its buffers do not count in the peak memory; all ranks at once.
        let check = SgemmBenchmark.correctnessError()
        try comm.barrier()
        let peak = SgemmBenchmark.measure(.init("2048³", m: 2048, n: 2048, k: 2048), asTheModelRuns: false)
        var shapes = SgemmBenchmark.modelShapes(config: config)
        for i in shapes.indices {
            try comm.barrier()
            shapes[i].gflops = SgemmBenchmark.measure(shapes[i], asTheModelRuns: true)
        }

        let all = try comm.gather([Double(peakRSS), Double(baseline), peak, check] + shapes.map(\.gflops))
        func column(_ i: Int) -> [Double] { all.map { $0[i] } }
        func mean(_ i: Int) -> Double { column(i).reduce(0, +) / Double(comm.size) }
        for i in shapes.indices { shapes[i].gflops = mean(4 + i) }
        // Memory: the rank with the largest peak; its estimate differs from ours only in the baseline.
        let worst = all[all.indices.max { all[$0][0] < all[$1][0] }!]
        let estimate = try MemoryEstimate(config: config, plan: trainer.plan, baselineBytes: Int(worst[1]))
        var profileReport: ProfileReport? = nil
        if let kernels {
            try comm.barrier()
            let bandwidth = MemoryBandwidth.measure()
            profileReport = try ProfileReport.gather(kernels, timings: timings, family: config.model.family,
                                                     parameters: trainer.model.layout.totalCount,
                                                     accumulationSteps: trainer.plan.accumulationSteps,
                                                     exactSums: config.distributed.exact,
                                                     muon: config.training.optimizer == "muon", sgemmGflops: mean(2),
                                                     bandwidth: bandwidth, comm: comm)
        }
        return BenchReport(
            config: configPath, cpu: CPUInfo.modelName, ranks: comm.size, blasThreads: threads, kernelThreads: KernelThreads.count,
            core: RunSetup.blasCoreName, coreNote: coreNote, sgemmCheckError: column(3).max()!,
            sgemmPeakPerRank: mean(2), sgemmPeakTotal: column(2).reduce(0, +), shapes: shapes,
            tokensPerStep: trainer.plan.tokensPerStep, split: split,
            flopsPerToken: GPTModel.flopsPerToken(config: config.model, sequence: trainer.plan.sequence),
            peakRSSBytes: Int(worst[0]), estimate: estimate, parameters: trainer.model.layout.totalCount, steps: steps,
            overlap: config.distributed.overlapsBackward && comm.size > 1,
            overlapAuto: config.distributed.overlap == .auto && comm.size > 1, bucketMb: config.distributed.bucketMb, exact: config.distributed.exact, profile: profileReport)
    }
}
