import ArgumentParser
import Benchmarks
import Collectives
import Foundation
import RunConfig
import Training

/// `trainer bench`'s options for the emulated-network harness and the scaling model.
struct ProjectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Project weak scaling to these rank counts from this machine's measured step, e.g. 8,64,512.", valueName: "RANKS"))
    var project: String?

    @Option(help: ArgumentHelp("With --project: the link's rate in Gbit/s, or several (one table each), e.g. 10,25,100.", valueName: "GBITS"))
    var link = "10"

    @Option(name: .customLong("latency-us"), help: ArgumentHelp("With --project: α, µs per message (default: --fit's, else 50).", valueName: "US"))
    var latencyUs: Double?

    @Option(help: ArgumentHelp("With --project: the share of the link rate the transfers reach (default: --fit's, else 1).", valueName: "FRACTION"))
    var efficiency: Double?

    @Option(name: .customLong("iallreduce"), help: ArgumentHelp("With --project: the overlapped all-reduce's algorithm: binomial (libnbc's choice in place), ring or rabenseifner (coll_libnbc_iallreduce_algorithm 1 or 3).", valueName: "ALGORITHM"))
    var iallreduce = "binomial"

    @Option(help: ArgumentHelp("launch/netem-bench.sh's results: alone, print them beside the fitted α–β model; with --project, take α and the efficiency from the fit nearest --link.", valueName: "FILE"))
    var fit: String?

    @Option(help: ArgumentHelp("With --allreduce: also time one plain MPI_Allreduce of each of these sizes in bytes, e.g. 8,65536,8388608.", valueName: "BYTES"))
    var sizes: String?

    @Option(help: "With --allreduce: timed repetitions of each variant (the median is reported).")
    var repetitions = 20

    /// The overlapped all-reduce's algorithm, or a message naming the accepted ones.
    func nonblocking() throws -> CollectiveAlgorithm {
        switch iallreduce {
        case "binomial": return .binomial
        case "ring": return .ring
        case "rabenseifner": return .rabenseifner
        default: throw ValidationError("--iallreduce \(iallreduce): expected binomial, ring or rabenseifner")
        }
    }

    /// Comma-separated positive integers, or a message naming the option and the bad entry.
    static func integers(_ text: String, option: String) throws -> [Int] {
        try text.split(separator: ",").map {
            guard let n = Int($0.trimmingCharacters(in: .whitespaces)), n > 0 else {
                throw ValidationError("\(option) \(text): '\($0)' is not a positive whole number; write e.g. \(option) 8,64,512")
            }
            return n
        }
    }

    /// Refuses bad values before anything is measured.
    func validate() throws {
        if let project { _ = try Self.integers(project, option: "--project") }
        if let sizes { _ = try Self.integers(sizes, option: "--sizes") }
        _ = try rates()
        if let latencyUs, latencyUs < 0 { throw ValidationError("--latency-us \(latencyUs) must be ≥ 0") }
        if let efficiency, !(efficiency > 0 && efficiency <= 1) { throw ValidationError("--efficiency \(efficiency) must be in (0, 1]") }
        guard repetitions > 0 else { throw ValidationError("--repetitions must be at least 1") }
        _ = try nonblocking()
    }

    /// --link's rates, or a message naming the bad entry.
    func rates() throws -> [Double] {
        try link.split(separator: ",").map {
            guard let g = Double($0.trimmingCharacters(in: .whitespaces)), g > 0 else {
                throw ValidationError("--link \(link): '\($0)' is not a positive rate in Gbit/s; write e.g. --link 10 or --link 10,25,100")
            }
            return g
        }
    }

    /// α–β of the projected link of `link` Gbit/s and a note on where each came from.
    func linkCost(_ link: Double) throws -> (LinkCost, String) {
        let fitted = try fit.map { path throws in try NetemResults.load(path: path).nearestFit(gbits: link) } ?? nil
        let alphaUs = latencyUs ?? fitted.map { $0.alpha * 1e6 } ?? 50
        let share = efficiency ?? fitted?.efficiency ?? 1
        let source = fitted.map { String(format: "--latency-us and --efficiency if given, else the fit at tbf %g Gbit/s, %d ranks", $0.key.rateGbit, $0.key.ranks) }
            ?? "--latency-us and --efficiency if given, else 50 µs and 1"
        let note = String(format: "%g Gbit/s × %.2f efficiency, α %.1f µs", link, share, alphaUs) + " (\(source))"
        return (LinkCost(gbits: link, latencyUs: alphaUs, efficiency: share), note)
    }
}

extension TrainerCommand.Bench {
    /// `--fit FILE` alone prints the emulated-network table; `--project` measures and projects.
    /// Returns false when neither was asked for (bench goes on as usual).
    func runFitOrProjection() throws -> Bool {
        if let fit = projection.fit, projection.project == nil {
            print(try NetemResults.load(path: fit).table)
            return true
        }
        guard let ranks = projection.project else { return false }
        let coreNote = Self.fixCoreType()
        try runProjection(try ProjectionOptions.integers(ranks, option: "--project"), inputs: options.inputs(.pretrain), coreNote: coreNote)
        return true
    }

    /// `--allreduce` (every rank): the gradient all-reduce's variants, then `--sizes`' plain ones.
    func runAllReduce(config: TrainConfig, comm: Communicator) throws {
        let repetitions = projection.repetitions
        let sizes = try projection.sizes.map { try ProjectionOptions.integers($0, option: "--sizes") } ?? []
        var result = try AllReduceBenchmark.run(config: config, comm: comm, repetitions: repetitions)
        result.sweep = try AllReduceBenchmark.sweep(sizes: sizes, comm: comm, repetitions: repetitions)
        if comm.isRoot {
            print(json ? BenchReport.json(result, ranks: comm.size) : BenchReport.table(result, ranks: comm.size, repetitions: repetitions))
        }
    }

    /// `--project`: measures this config's step on this machine, then projects it to `ranks`.
    func runProjection(_ ranks: [Int], inputs: RunInputs, coreNote: String) throws {
        let config = inputs.config
        let links = try projection.rates().map { try projection.linkCost($0) }
        let nonblocking = try projection.nonblocking()
        Launch.run { comm in
            let report = try TrainingBenchmark.measure(inputs: inputs, configPath: options.config, steps: steps, comm: comm, coreNote: coreNote)
            let s = report.split, tokensPerRank = report.tokensPerStep / max(1, report.ranks)
            let measured = "\(report.ranks) rank\(report.ranks == 1 ? "" : "s"), \(steps) steps, \(report.cpu)"
            for (i, (link, linkNote)) in links.enumerated() {
                let model = ScalingModel(config: config, forwardSeconds: s.forwardMs / 1000, backwardSeconds: s.backwardMs / 1000,
                                         optimizerSeconds: s.optimizerMs / 1000, otherSeconds: s.otherMs / 1000,
                                         tokensPerRank: tokensPerRank, link: link, nonblocking: nonblocking)
                let out = ScalingReport(config: options.config, model: model, ranks: ranks, linkNote: linkNote, measuredNote: measured)
                if comm.isRoot { print((i > 0 && !json ? "\n" : "") + (json ? out.json : out.table)) }
            }
        }
    }
}
