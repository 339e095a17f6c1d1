import ArgumentParser
import Collectives
import Foundation
import Benchmarks
import Training

extension TrainerCommand {
    /// Measures sgemm, training throughput and the gradient all-reduce on this machine.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure sgemm GFLOP/s, tokens/s, the time split of a step, MFU and memory (writes nothing).",
            discussion: """
            Trains a few in-memory steps (no checkpoints, no evaluation). Under mpirun every rank measures and rank 0 \
            prints. With --allreduce, times the gradient all-reduce against one plain MPI_Allreduce of the same bytes. \
            With --finetune, measures the fine-tune `trainer finetune CONFIG` would run (its init_from model, \
            objective, freezing or LoRA adapters).
            """)

        @OptionGroup var options: ConfigOptions

        @Option(help: "Timed training steps (after one warm-up step).")
        var steps = 5

        @Flag(help: "Print one JSON object instead of a table.")
        var json = false

        @Flag(help: "Benchmark the gradient all-reduce instead of training.")
        var allreduce = false

        @Flag(help: "Read the config as a fine-tune's (trainer finetune CONFIG) and measure its steps.")
        var finetune = false

        @OptionGroup var projection: ProjectionOptions

        @Flag(help: "Also profile the timed steps by kernel: ms, share of the step, bytes, GB/s or GFLOP/s against this machine's memory bandwidth and sgemm rate.")
        var profile = false

        /// --profile times training steps, which --allreduce does not run.
        func validate() throws {
            if allreduce && profile {
                throw ValidationError("--profile profiles training steps and --allreduce runs none; run them as two commands")
            }
        }

        func run() throws {
            if try runFitOrProjection() { return }
            let coreNote = Self.fixCoreType()
            let inputs = options.inputs(finetune ? .finetune : .pretrain)
            let config = inputs.config
            Launch.run { comm in
                if allreduce {
                    try runAllReduce(config: config, comm: comm)
                    return
                }
                let report = try TrainingBenchmark.measure(inputs: inputs, configPath: options.config, steps: steps, comm: comm, coreNote: coreNote,
                                                          profile: profile)
                if comm.isRoot { print(json ? report.json : report.table) }
            }
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
