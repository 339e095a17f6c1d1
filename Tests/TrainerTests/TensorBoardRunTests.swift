import Foundation
import TensorBoard
import Testing
import TestSupport

/// A gpt-tiny run's TensorBoard event files: every scalar of metrics.jsonl, and a resumed run adds
/// a second file without touching the first.
@Suite struct TensorBoardRunTests {
    static func eventFiles(_ run: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: run.path).filter { $0.hasPrefix(EventFileWriter.filePrefix) }.sorted()
            .map { run.appendingPathComponent($0) }
    }

    /// (tag, step) -> value over the event files of `run`, in file order.
    static func scalars(_ files: [URL]) throws -> [String: [Int: Float]] {
        var out: [String: [Int: Float]] = [:]
        for file in files {
            let events = try Event.read(file: file)
            #expect(events.first?.content == .fileVersion("brain.Event:2"), "\(file.path)")
            for e in events {
                guard case .scalars(let values) = e.content else { continue }
                for v in values { out[v.tag, default: [:]][Int(e.step)] = v.value }
            }
        }
        return out
    }

    @Test func everyMetricReachesTheEventFilesAcrossAResume() throws {
        let dir = try TestDirectory.make("tensorboard")
        let run = dir.appendingPathComponent("run")
        try TinyRun.train(dir, steps: 20, ["--until-step", "10"])
        let first = try Self.eventFiles(run)
        #expect(first.count == 1)
        let firstBytes = try Data(contentsOf: first[0])
        try TinyRun.train(dir, steps: 20, ["--resume"])
        let files = try Self.eventFiles(run)
        #expect(files.count == 2)
        #expect(try Data(contentsOf: first[0]) == firstBytes, "the first event file changed on resume")
        // The resumed file marks its restart at step 10, so TensorBoard hides anything logged there before.
        #expect(try Event.read(file: files[1]).prefix(2).map(\.content) == [.fileVersion("brain.Event:2"), .sessionStart])
        #expect(try Event.read(file: files[1])[1].step == 10)

        let scalars = try Self.scalars(files)
        let metrics = try RunMetrics(runDirectory: run)
        #expect(Set(scalars.keys) == ["train/loss", "train/lr", "train/grad_norm", "train/tokens_per_s", "val/loss", "val/bits_per_byte"])
        #expect(scalars["val/bits_per_byte"]?.count == 2)
        for tag in ["train/loss", "train/lr", "train/grad_norm", "train/tokens_per_s"] { #expect(scalars[tag]?.count == 20, "\(tag)") }
        for (step, loss) in metrics.losses { #expect(scalars["train/loss"]?[step] == Float(loss), "step \(step)") }
        #expect(scalars["val/loss"]?.mapValues(Double.init) == metrics.validation.mapValues { Double(Float($0)) })
        #expect(Set(metrics.validation.keys) == [9, 19])
    }
}
