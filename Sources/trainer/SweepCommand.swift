import ArgumentParser
import Sweeps
import Training

extension TrainerCommand {
    /// Trains a grid of model sizes × budgets, fits the scaling law and checks its prediction.
    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scaling-law sweep: train a grid of model shapes × token (or FLOP) budgets, fit L(N, D), check the fit on a held-out cell.",
            discussion: """
            Every cell is an ordinary run in its own directory under the sweep's `dir`, trained under the same mpirun. Finished \
            cells are skipped and an interrupted one resumes, so the same command continues a stopped sweep. SIGINT or SIGTERM \
            saves the current cell and ends the sweep (exit 0). Writes sweep.jsonl, fit.json and three SVG charts.
            Example: mpirun -n 2 trainer sweep configs/sweep-shakespeare.json
            """)

        @Argument(help: "The sweep file, e.g. configs/sweep-shakespeare.json.", completion: .file(extensions: ["json"]))
        var sweepFile: String

        @Option(name: .customLong("set"), help: ArgumentHelp("Override a field of every cell's config after the sweep file's `set`, e.g. --set training.micro_batch=4 (repeatable).", valueName: "section.key=value"))
        var overrides: [String] = []

        func run() throws {
            let sweep: SweepRun
            do { sweep = try SweepRun(path: sweepFile, overrides: overrides, worldSize: Launch.launcherWorldSize) } catch { Launch.failBeforeMPI("\(error)") }
            let fault: FaultInjection?
            do { fault = try FaultInjection.fromEnvironment() } catch { Launch.failBeforeMPI("\(error)") }
            Launch.run { comm in
                StopSignal.install()
                try sweep.run(comm: comm, fault: fault, shouldStop: { StopSignal.raised })
            }
        }
    }
}
