import Foundation
import ModelFiles
import RunConfig
import Testing
import Training

/// Values from outside that the parsers accept syntactically but no run can use are refused with a
/// typed error naming the field, before anything turns them into positions, sizes or loop bounds.
@Suite struct OutsideInputTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// state.json of a real gpt-tiny checkpoint with `field` replaced by `value`.
    static func state(_ field: String, _ value: Any) throws -> Data {
        let seed = root.appendingPathComponent("Tests/Fuzz/Corpus/state/gpt-tiny-step-10.json")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: seed)) as? [String: Any])
        object[field] = value
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test func stateWithImpossibleValuesIsRefused() throws {
        #expect(try TrainingState.read(Self.state("step", 10), path: "state.json").step == 10)
        let cases: [(String, Any)] = [("step", -5), ("step", 10_000_000), ("tokens_seen", -1), ("stream_position", -1),
                                      ("epoch", -1), ("seed", -1), ("sample_count", -1), ("world_size", 0), ("best_step", -2)]
        for (field, value) in cases {
            do {
                _ = try TrainingState.read(Self.state(field, value), path: "state.json")
                Issue.record("\(field) = \(value) was accepted")
            } catch let error as TrainingError {
                #expect(error.description.contains("\"\(field)\""), "\(error)")
            }
        }
    }

    @Test func faultSpecificationsAreBounded() throws {
        #expect(try FaultInjection.parse("nan:rank=1:step=3:count=2").count == 2)
        for text in ["nan:step=9223372036854775807", "crash:count=99999999999", "slow:seconds=inf", "slow:seconds=nan",
                     "hang:rank=-1", "crash:step=1e3"] {
            #expect(throws: ConfigError.self, "\(text)") { try FaultInjection.parse(text) }
        }
    }
}
