import Foundation
import Testing
import TestSupport

/// Step counts at the edges (issue 28, item 8): `--until-step 0` is refused with one line (exit 2),
/// and the log counts steps past 2³¹ in 64 bits.
@Suite(.serialized) struct RunLengthTests {
    @Test func untilStepZeroIsRefused() throws {
        let dir = try TestDirectory.make("until-zero")
        let result = try TrainerProcess.run(["configs/gpt-tiny.json"] + TinyRun.settings(dir) + ["--until-step", "0"], timeout: 60)
        #expect(result.status == 2, "status \(result.status): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("--until-step 0"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("run").path))
    }

    @Test func stepsPast2To31AreLoggedWhole() throws {
        let dir = try TestDirectory.make("long-run")
        let result = try TinyRun.train(dir, steps: 3_000_000_000, ["--until-step", "1", "--set", "checkpoint.every=1000000"])
        #expect(result.stdout.contains("step      0/3000000000 | loss"), "\(result.stdout)")
        #expect(!result.stdout.contains("/-"), "\(result.stdout)")
        // A negative number given to a sample option reaches the option's own check (issue 28, item 9).
        let checkpoint = dir.appendingPathComponent("run/step-0000001").path
        for option in ["--temperature", "--max-tokens", "--top-p"] {
            let sample = try TrainerProcess.run(["sample", checkpoint, option, "-1"], timeout: 60)
            #expect(sample.status != 0 && !sample.stderr.contains("Missing value"), "\(option) -1: \(sample.stderr)")
        }
    }
}
