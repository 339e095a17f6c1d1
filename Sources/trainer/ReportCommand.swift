import ArgumentParser
import Foundation
import RunConfig
import Training

extension TrainerCommand {
    /// Draws a run's loss curves as an SVG.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plot training and validation loss against tokens seen (SVG) from RUN_DIR/metrics.jsonl.")

        @Argument(help: "The run directory (checkpoint.dir), which holds metrics.jsonl.", completion: .directory)
        var runDirectory: String

        @Option(name: .shortAndLong, help: "Where to write the SVG (default: RUN_DIR/loss.svg).")
        var output: String?

        func run() throws {
            let run = URL(fileURLWithPath: runDirectory)
            do {
                let curves = try LossPlot.read(metrics: run.appendingPathComponent("metrics.jsonl"))
                let out = output.map(URL.init(fileURLWithPath:)) ?? run.appendingPathComponent("loss.svg")
                let svg = LossPlot.svg(train: curves.train, validation: curves.validation, title: "loss: \(run.lastPathComponent)")
                try Data(svg.utf8).write(to: out, options: .atomic)
                print("wrote \(out.path): \(curves.train.count) training points, \(curves.validation.count) validation points")
                if let last = curves.validation.last { print(String(format: "last validation loss %.4f at %.0f tokens", last.loss, last.tokens)) }
            } catch {
                Log.error("\(error)")
                throw ExitCode(1)
            }
        }
    }
}
