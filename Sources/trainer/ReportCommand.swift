import ArgumentParser
import Foundation
import RunConfig
import Training

extension TrainerCommand {
    /// Draws a run's loss curves as an SVG.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plot training and validation loss against tokens seen (SVG) from RUN_DIR/metrics.jsonl.",
            discussion: "With several run directories, one validation curve per run on one chart, against tokens or training seconds (--x).")

        @Argument(help: "Run directories (checkpoint.dir), each holding metrics.jsonl.", completion: .directory)
        var runDirectories: [String]

        @Option(name: .shortAndLong, help: "Where to write the SVG (default: RUN_DIR/loss.svg, or loss-comparison.svg here for several runs).")
        var output: String?

        @Option(help: "With several runs: what x is, tokens or seconds (training time).")
        var x = LossPlot.Abscissa.tokens

        func validate() throws {
            guard !runDirectories.isEmpty else { throw ValidationError("give at least one run directory") }
        }

        func run() throws {
            do {
                let runs = runDirectories.map(URL.init(fileURLWithPath:))
                let curves = try runs.map { try LossPlot.read(metrics: $0.appendingPathComponent("metrics.jsonl")) }
                let out = output.map(URL.init(fileURLWithPath:))
                    ?? (runs.count == 1 ? runs[0].appendingPathComponent("loss.svg") : URL(fileURLWithPath: "loss-comparison.svg"))
                let svg = runs.count == 1
                    ? LossPlot.svg(train: curves[0].train, validation: curves[0].validation, title: "loss: \(runs[0].lastPathComponent)")
                    : LossPlot.svg(runs: zip(runs, curves).map { ($0.lastPathComponent, $1.validation) }, against: x, title: "validation loss")
                try Data(svg.utf8).write(to: out, options: .atomic)
                print("wrote \(out.path)")
                for (run, c) in zip(runs, curves) {
                    print("\(run.lastPathComponent): \(c.train.count) training points, \(c.validation.count) validation points")
                    if let last = c.validation.last { print(String(format: "last validation loss %.4f at %.0f tokens, %.0f training seconds", last.loss, last.tokens, last.seconds)) }
                }
            } catch {
                Log.error("\(error)")
                throw ExitCode(1)
            }
        }
    }
}

extension LossPlot.Abscissa: ExpressibleByArgument {}
