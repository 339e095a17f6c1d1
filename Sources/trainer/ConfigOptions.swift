import ArgumentParser
import RunConfig
import Training

/// The config file and its command-line overrides, shared by every command that reads a config.
struct ConfigOptions: ParsableArguments {
    @Argument(help: "Path to the run's JSON config, e.g. configs/gpt-small.json.", completion: .file(extensions: ["json"]))
    var config: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a config field, e.g. --set training.max_steps=100 (repeatable).", valueName: "section.key=value"))
    var overrides: [String] = []

    /// Everything a training run (or bench, or prepare) reads before MPI starts, read once. On a
    /// problem, prints one line on rank 0 and exits 2 on every rank, before MPI starts, so no
    /// rank waits for another.
    func inputs(_ objective: RunInputs.Objective, checks: RunInputs.Checks = .all) -> RunInputs {
        let loaded: RunInputs
        do {
            loaded = try RunInputs.load(configPath: config, overrides: overrides, objective: objective, checks: checks)
        } catch {
            Launch.failBeforeMPI("\(error)")
        }
        if Launch.launcherRank == 0 { for warning in ConfigValidation.warnings(loaded.config) { Log.warning(warning) } }
        return loaded
    }
}
