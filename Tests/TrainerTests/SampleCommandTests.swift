import Foundation
import Testing
import TestSupport

/// `trainer sample`'s options end to end on a gpt-tiny checkpoint.
@Suite(.serialized) struct SampleCommandTests {
    static var run: URL { PretrainedTiny.run }

    static func sample(_ arguments: [String]) throws -> String {
        let result = try TrainerProcess.run(["sample", run.path, "--max-tokens", "30"] + arguments, timeout: 120)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return result.stdout
    }

    @Test func samplesSeedsPromptFilesTopPAndStopStrings() throws {
        let prompt = "Fair is foul"
        let three = try Self.sample(["--prompt", prompt, "--num-samples", "3", "--seed", "5"])
        let parts = three.components(separatedBy: "---------------\n")
        #expect(parts.count == 3)
        #expect(parts.allSatisfy { $0.hasPrefix(prompt) })
        // Sample i is the sample of seed + i on its own.
        #expect(try Self.sample(["--prompt", prompt, "--seed", "6"]) == parts[1])
        #expect(Set(parts).count > 1)

        let file = try TestDirectory.make("sample-prompt").appendingPathComponent("prompt.txt")
        try Data(prompt.utf8).write(to: file)
        #expect(try Self.sample(["--prompt-file", file.path, "--seed", "5"]) == parts[0])

        let greedy = try Self.sample(["--prompt", prompt, "--temperature", "0"])
        #expect(try Self.sample(["--prompt", prompt, "--temperature", "1", "--top-k", "0", "--top-p", "0.000001"]) == greedy)

        // Stop at a piece of the greedy continuation: the output ends just before it.
        let continuation = String(greedy.dropFirst(prompt.count).dropLast())
        try #require(continuation.count >= 6, "greedy continuation too short: \(continuation.debugDescription)")
        let cut = continuation.index(continuation.startIndex, offsetBy: continuation.count / 2)
        let stop = String(continuation[cut...].prefix(3))
        let stopped = try Self.sample(["--prompt", prompt, "--temperature", "0", "--stop", "zzz", "--stop", stop])
        #expect(stopped == prompt + String(continuation[..<continuation.range(of: stop)!.lowerBound]) + "\n")
        #expect(try Self.sample(["--prompt", prompt, "--temperature", "0", "--no-echo"]) == continuation + "\n")
    }
}
