import ArgumentParser
import Foundation
import Training

extension TrainerCommand {
    /// Trains the tokenizer (when absent) and writes the token shards for a config.
    struct Prepare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train the tokenizer if needed and write train/val token shards (llm.c format).")

        @OptionGroup var options: ConfigOptions

        func run() throws {
            let config = try options.load()
            do { try RunSetup.checkInputs(config, model: false) } catch { Launch.failBeforeMPI("\(error)") }
            Launch.run { comm in
                _ = try comm.agree(onlyRoot: true) {
                    let data = try RunSetup.prepareData(config) { print($0); fflush(nil) }
                    print("prepared \(data.directory.path): \(data.trainTokens) training and \(data.valTokens) validation tokens")
                }
            }
        }
    }
}
