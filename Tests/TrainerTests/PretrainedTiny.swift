import Foundation
import TestSupport

/// The one pre-trained gpt-tiny of the test run (configs/gpt-tiny.json for 40 steps, one
/// process), trained the first time a suite asks for it and shared by every suite that needs a
/// trained checkpoint (fine-tuning, sampling). `EvaluateCommandTests` trains its own at block
/// 128, since few-shot contexts do not fit gpt-tiny's 32 tokens.
enum PretrainedTiny {
    /// The run directory; its newest checkpoint is `step-0000040`.
    static let run: URL = {
        let dir = try! TestDirectory.make("pretrained-tiny")
        let result = try! TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir, run: "pre", steps: steps), timeout: 600)
        precondition(result.status == 0, "pre-training the shared gpt-tiny failed: \(result.stderr)")
        return dir.appendingPathComponent("pre")
    }()

    /// Its number of steps.
    static let steps = 40

    /// Its last checkpoint's directory.
    static var checkpoint: URL { run.appendingPathComponent(String(format: "step-%07d", steps)) }
}
