import ArgumentParser
import Training

/// `trainer`: data-parallel GPT training on CPUs. `trainer CONFIG` trains (the default subcommand).
@main
struct TrainerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trainer",
        abstract: "Data-parallel GPT training on CPUs; run under mpirun for several processes.",
        discussion: """
        Examples:
          trainer configs/gpt-small.json
          mpirun -n 2 trainer configs/gpt-small.json --set training.max_steps=100
          trainer configs/gpt-small.json --resume
          trainer eval checkpoints/gpt-small/step-0000600
          trainer sample checkpoints/gpt-small/step-0000600 --prompt "ROMEO:"
          trainer report checkpoints/gpt-small
          mpirun -n 2 trainer finetune configs/finetune-classify-small.json
          trainer classify checkpoints/finetune-classify-small --text "Now is the winter of our discontent"
          trainer sample checkpoints/finetune-instruct-small --instruction "Who speaks this line?" --input "..."
          trainer bench configs/gpt-small.json --json
          mpirun -n 2 trainer sweep configs/sweep-shakespeare.json
        """,
        subcommands: [Train.self, Prepare.self, Eval.self, Evaluate.self, Sample.self, Report.self, Status.self, Finetune.self, Classify.self, Bench.self, Sweep.self, Export.self, Layouts.self],
        defaultSubcommand: Train.self)

    /// Parses the command line after giving a bare `--resume` its implicit value.
    static func main() {
        main(Array(expandingBareResume(CommandLine.arguments.dropFirst())))
    }

    /// `--resume` followed by nothing or by another option means "the newest valid checkpoint".
    static func expandingBareResume<C: Collection<String>>(_ arguments: C) -> [String] {
        var out: [String] = []
        let args = Array(arguments)
        for (i, arg) in args.enumerated() {
            out.append(arg)
            if arg == "--resume", i + 1 == args.count || args[i + 1].hasPrefix("-") { out.append(ResumePoint.latest) }
        }
        return out
    }
}
