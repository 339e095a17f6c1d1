import Foundation
import Testing
import TestSupport

/// A checkpoint whose state.json has a damaged "step" ("abc", 1.5, null) is skipped like one that
/// fails its SHA-256 check: the run resumes from the previous checkpoint (issue 28, item 9).
@Suite(.serialized) struct DamagedStateTests {
    @Test(arguments: [#""abc""#, "1.5", "null"])
    func aDamagedStepFallsBackToThePreviousCheckpoint(_ value: String) throws {
        let dir = try TestDirectory.make("damaged-state")
        try TinyRun.train(dir, steps: 20)
        let state = dir.appendingPathComponent("run/step-0000020/state.json")
        let text = try String(contentsOf: state, encoding: .utf8)
        let damaged = text.replacingOccurrences(of: #""step"\s*:\s*20"#, with: #""step": \#(value)"#, options: .regularExpression)
        #expect(damaged != text)
        try Data(damaged.utf8).write(to: state)
        let result = try TinyRun.train(dir, steps: 30, ["--resume"])
        #expect(result.stdout.contains("resumed at step 10"), "\(result.stdout)")
        #expect(result.stderr.contains("not a whole step count") && !result.stderr.contains("not valid JSON"), "\(result.stderr)")
    }
}
