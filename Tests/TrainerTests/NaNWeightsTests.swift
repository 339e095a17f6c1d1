import Foundation
import Testing
import TestSupport

/// eval and sample refuse a checkpoint whose weights hold NaN, with one line naming the tensor,
/// instead of printing "loss nan" and exiting 0 (issue 28, item 9).
@Suite(.serialized) struct NaNWeightsTests {
    @Test func nanWeightsAreRefusedByEvalAndSample() throws {
        let dir = try TestDirectory.make("nan-weights")
        try TinyRun.train(dir, steps: 10)
        let step = dir.appendingPathComponent("run/step-0000010")
        let model = step.appendingPathComponent("model.safetensors")
        var bytes = try Data(contentsOf: model)
        // The first tensor's data starts after the 8-byte header length and the JSON header.
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let nan = Float.nan.bitPattern
        for k in 0..<4 { bytes[8 + headerLength + k] = UInt8(truncatingIfNeeded: nan >> (8 * UInt32(k))) }
        try TinyRun.replace("model.safetensors", in: step, with: bytes)
        for command in [["eval", step.path], ["sample", step.path, "--max-tokens", "3"]] {
            let result = try TrainerProcess.run(command, timeout: 60)
            #expect(result.status != 0, "\(command[0]) exited 0: \(result.stdout)")
            #expect(result.stderr.contains("holds nan") && result.stderr.contains("use an earlier checkpoint"), "\(command[0]): \(result.stderr)")
            #expect(!result.stdout.contains("loss nan"), "\(result.stdout)")
        }
    }
}
