import ArgumentParser
import Training

/// Where a training run starts and where this invocation of it stops; shared by `train` and `finetune`.
struct RunLengthOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Continue from the newest valid checkpoint in checkpoint.dir (--resume alone), or from the given checkpoint directory.", valueName: "path"))
    var resume: String?

    @Option(help: "Stop (and save) once this many steps are done, keeping the schedule of the full run.")
    var untilStep: Int?

    @Flag(help: "With --resume: accept a checkpoint whose seed, batch, optimizer settings or data differ from this run's (no longer an exact continuation).")
    var inexactResume = false

    /// `--until-step 0` (or less) would end at once having done and said nothing: refused, exit 2.
    func validate() throws {
        if let step = untilStep, step < 1 {
            Launch.failBeforeMPI("--until-step \(step): the run would stop before its first step; give the step count to stop at, at least 1 (e.g. --until-step 100), or leave it out to run to training.max_steps")
        }
    }

    /// Runs `inputs` as a training job on every rank: SIGINT or SIGTERM finishes the step, saves and exits 0.
    func train(_ inputs: RunInputs) -> Never {
        let job = TrainingRun(inputs: inputs, resume: resume, untilStep: untilStep, acceptInexactResume: inexactResume)
        Launch.run(runDirectory: job.config.checkpoint.dir) { comm in
            StopSignal.install()
            try job.run(comm: comm, shouldStop: { StopSignal.raised })
        }
    }
}
