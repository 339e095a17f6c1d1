import Foundation
import Testing
import TestSupport

/// Data-parallel training of gpt-tiny under mpirun: the same config trains to the same losses at
/// any rank count, and repeated runs are bit-identical.
@Suite(.serialized) struct DataParallelTests {
    /// Trains gpt-tiny for 20 steps at `ranks` ranks into a fresh directory and returns the run directory.
    static func trainTiny(ranks: Int, name: String, extra: [String] = []) throws -> URL {
        let dir = try TestDirectory.make(name)
        try TinyRun.train(dir, ranks: ranks, extra)
        return dir.appendingPathComponent("run")
    }

    @Test func sameLossesAtOneTwoAndFourRanks() throws {
        let one = try RunMetrics(runDirectory: Self.trainTiny(ranks: 1, name: "n1"))
        #expect(one.losses.count == 20)
        for ranks in [2, 4] {
            let other = try RunMetrics(runDirectory: Self.trainTiny(ranks: ranks, name: "n\(ranks)"))
            #expect(other.losses.count == 20)
            for (step, loss) in one.losses.sorted(by: { $0.key < $1.key }) {
                let b = other.losses[step] ?? .nan
                #expect(abs(loss - b) <= 1e-5 * abs(loss), "step \(step): -n 1 loss \(loss), -n \(ranks) loss \(b)")
            }
            for (step, v) in one.validation {
                #expect(abs(v - (other.validation[step] ?? .nan)) <= 1e-5 * abs(v), "validation at step \(step)")
            }
        }
        let first = one.losses[0]!, last = one.losses[19]!
        #expect(last < first - 0.5, "loss should fall: step 0 \(first), step 19 \(last)")
    }

    @Test func repeatedRunsAreBitIdentical() throws {
        let runA = try Self.trainTiny(ranks: 2, name: "rep-a"), runB = try Self.trainTiny(ranks: 2, name: "rep-b")
        let a = try RunMetrics(runDirectory: runA), b = try RunMetrics(runDirectory: runB)
        #expect(a.steps.count == 20)
        #expect(a.steps == b.steps)
        #expect(a.validation == b.validation)
        let weights = "step-0000020/model.safetensors"
        #expect(try Data(contentsOf: runA.appendingPathComponent(weights)) == Data(contentsOf: runB.appendingPathComponent(weights)))
    }

    @Test func overlapOnAndOffGiveTheSameLosses() throws {
        let on = try RunMetrics(runDirectory: Self.trainTiny(ranks: 2, name: "ov-on", extra: ["--set", "distributed.overlap=true", "--set", "distributed.bucket_mb=0.01"]))
        let off = try RunMetrics(runDirectory: Self.trainTiny(ranks: 2, name: "ov-off", extra: ["--set", "distributed.overlap=false"]))
        #expect(on.steps == off.steps)
    }
}
