import Foundation
import Testing
import Training

/// A resumed run's metrics.jsonl is put back to its checkpoint's step first (issue 28, item 6): a
/// line torn by a crash and the records a crashed run logged after its last checkpoint are dropped,
/// said once, so `trainer report` reads the file and the last validation loss is the live run's.
@Suite struct MetricsRepairTests {
    static func records(_ steps: Range<Int>, loss: Double) -> String {
        steps.map { #"{"step":\#($0),"tokens":\#(512 * ($0 + 1)),"loss":\#(loss),"lr":0.001,"grad_norm":1,"ms":2,"tokens_per_s":1000}"# + "\n" }.joined()
            + #"{"step":\#(steps.upperBound - 1),"tokens":\#(512 * steps.upperBound),"val_loss":\#(loss)}"# + "\n"
    }

    func directory(_ metrics: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-metrics-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Data(metrics.utf8).write(to: url.appendingPathComponent("metrics.jsonl"))
        return url
    }

    @Test func aTornLastLineIsDroppedBeforeAppending() throws {
        let whole = Self.records(0..<20, loss: 5)
        let dir = try directory(String(whole.dropLast(20)))  // the crash cut the last record short
        let log = try MetricsLog(runDirectory: dir, logEvery: 1, maxSteps: 30, fresh: false, step: 20, tokens: 10240)
        log.record(.step(StepRecord(step: 20, loss: 4, lr: 0.001, gradNorm: 1, tokens: 10752, skipped: false, milliseconds: 2, tokensPerSecond: 1000, allReduceMilliseconds: 0)))
        let (train, validation) = try LossPlot.read(metrics: dir.appendingPathComponent("metrics.jsonl"))
        #expect(train.count == 21 && train.last?.loss == 4)
        #expect(validation.isEmpty)
    }

    @Test func recordsPastTheResumedCheckpointAreDropped() throws {
        // A run saved step-0000010, logged steps 10...19 and a validation loss of 3, then crashed.
        let dir = try directory(Self.records(0..<10, loss: 5) + Self.records(10..<20, loss: 3))
        _ = try MetricsLog(runDirectory: dir, logEvery: 1, maxSteps: 20, fresh: false, step: 10, tokens: 5120)
        let (train, validation) = try LossPlot.read(metrics: dir.appendingPathComponent("metrics.jsonl"))
        #expect(train.count == 10 && train.allSatisfy { $0.loss == 5 })
        #expect(validation.count == 1 && validation.last?.loss == 5)
    }

    @Test func aWholeFileIsLeftAsItIs() throws {
        let text = Self.records(0..<10, loss: 5)
        let dir = try directory(text)
        _ = try MetricsLog(runDirectory: dir, logEvery: 1, maxSteps: 20, fresh: false, step: 10, tokens: 5120)
        #expect(try String(contentsOf: dir.appendingPathComponent("metrics.jsonl"), encoding: .utf8) == text)
    }
}
