import ArgumentParser
import Collectives
import Foundation
import GPT
import Training

extension TrainerCommand {
    /// Measures sgemm, training throughput and the gradient all-reduce on this machine.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure sgemm GFLOP/s, tokens/s, the time split of a step, MFU and memory (writes nothing).",
            discussion: """
            Trains a few in-memory steps (no checkpoints, no evaluation). Under mpirun every rank measures and rank 0 \
            prints. With --allreduce, times the gradient all-reduce against one plain MPI_Allreduce of the same bytes.
            """)

        @OptionGroup var options: ConfigOptions

        @Option(help: "Timed training steps (after one warm-up step).")
        var steps = 5

        @Flag(help: "Print one JSON object instead of a table.")
        var json = false

        @Flag(help: "Benchmark the gradient all-reduce instead of training.")
        var allreduce = false

        func run() throws {
            let coreNote = Self.fixCoreType()
            let config = try options.load()
            do { try RunSetup.checkInputs(config) } catch { Launch.failBeforeMPI("\(error)") }
            Launch.run { comm in
                if allreduce {
                    let result = try AllReduceBenchmark.run(config: config, comm: comm)
                    if comm.isRoot { print(json ? BenchReport.json(result, ranks: comm.size) : BenchReport.table(result, ranks: comm.size)) }
                    return
                }
                let report = try measure(config: config, comm: comm, coreNote: coreNote)
                if comm.isRoot { print(json ? report.json : report.table) }
            }
        }

        /// Every rank: trains `steps` steps in memory, then measures sgemm; returns rank 0's reduction.
        private func measure(config: TrainConfig, comm: Communicator, coreNote: String) throws -> BenchReport {
            let threads = RunSetup.configureThreads()
            _ = try comm.agree(onlyRoot: true) { try RunSetup.prepareData(config) { _ in } }
            let data = try comm.agree { try RunSetup.prepareData(config) { _ in } }!
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
            let peakRSS = Self.peakResidentBytes()

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
                config: options.config, ranks: comm.size, blasThreads: threads, kernelThreads: KernelThreads.count,
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
        static func peakResidentBytes() -> Int {
            var usage = rusage()
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
            return Int(usage.ru_maxrss) * 1024
        }

        /// Re-executes this process with the CPU's best OPENBLAS_CORETYPE when the environment
        /// forces a weaker one (OpenBLAS reads it at load time). Returns a note for the report.
        static func fixCoreType() -> String {
            let env = ProcessInfo.processInfo.environment
            if let from = env["TRAINER_CORETYPE_OVERRIDDEN"] {
                return "OPENBLAS_CORETYPE=\(from) overridden with \(env["OPENBLAS_CORETYPE"] ?? "?"), the best this CPU supports"
            }
            guard let best = OpenBLASCore.override(environment: env) else {
                if let forced = env["OPENBLAS_CORETYPE"], !forced.isEmpty { return "OPENBLAS_CORETYPE=\(forced) from the environment" }
                return "detected by OpenBLAS"
            }
            setenv("TRAINER_CORETYPE_OVERRIDDEN", env["OPENBLAS_CORETYPE"] ?? "", 1)
            setenv("OPENBLAS_CORETYPE", best, 1)
            var argv = CommandLine.arguments.map { strdup($0) } + [nil]
            execv("/proc/self/exe", &argv)
            return "OPENBLAS_CORETYPE=\(env["OPENBLAS_CORETYPE"] ?? "") from the environment (re-exec with \(best) failed)"
        }
    }
}
