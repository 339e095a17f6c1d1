import ArgumentParser

/// `trainer`: data-parallel GPT training on CPUs. `trainer CONFIG` trains (the default subcommand).
@main
struct TrainerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trainer",
        abstract: "Data-parallel GPT training on CPUs; run under mpirun for several processes.",
        discussion: "Examples:\n  trainer configs/gpt-small.json\n  mpirun -n 2 trainer configs/gpt-small.json --set training.max_steps=100\n  trainer report checkpoints/gpt-small",
        subcommands: [Train.self, Prepare.self, Report.self],
        defaultSubcommand: Train.self)
}
