import Foundation
import RunConfig
import Testing

/// A key or section given twice is an error naming both places, not a silent replacement; a warmup
/// longer than the run is warned about (issue 28, item 8).
@Suite struct StrictConfigTests {
    func failure(_ json: String) -> ConfigError? {
        do throws(ConfigError) {
            _ = try ConfigLoader.decode(Data(json.utf8), source: "run.json")
            return nil
        } catch {
            return error
        }
    }

    @Test func aRepeatedKeyNamesBothPlaces() throws {
        let error = try #require(failure("{\"training\": {\"lr\": 0.001,\n  \"lr\": 5}}"))
        #expect(error.location == "run.json")
        #expect(error.message.contains("`training.lr` appears twice (line 1, column 15 and line 2, column 3)"), "\(error)")
    }

    @Test func aRepeatedSectionNamesBothPlaces() throws {
        let error = try #require(failure("{\"training\": {\"max_steps\": 600},\n\"model\": {\"n_layer\": 2},\n\"training\": {\"lr\": 5}}"))
        #expect(error.message.contains("`training` appears twice (line 1, column 2 and line 3, column 1)"), "\(error)")
    }

    @Test func equalKeysInDifferentObjectsAreFine() throws {
        let config = try ConfigLoader.decode(Data(#"{"eval": {"every": 5}, "checkpoint": {"every": 7, "dir": "x:\"y\""}}"#.utf8), source: "run.json")
        #expect(config.eval.every == 5 && config.checkpoint.every == 7)
    }

    /// A directory given as the config is named as such, not as a permissions problem (item 9).
    @Test func aDirectoryIsNotAConfigFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-config-dir-\(UUID().uuidString.prefix(8)).json")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        do throws(ConfigError) {
            _ = try ConfigLoader.load(path: dir.path)
            Issue.record("a directory loaded as a config")
        } catch {
            #expect(error.message.contains("is a directory, not a config file") && !error.message.contains("permissions"), "\(error)")
        }
    }

    @Test func warmupLongerThanTheRunIsWarnedAbout() throws {
        let long = try ConfigLoader.decode(Data(#"{"training": {"max_steps": 20, "warmup_steps": 50}}"#.utf8), source: "run.json")
        let warnings = ConfigValidation.warnings(long)
        #expect(warnings.count == 1 && warnings[0].contains("training.warmup_steps (50) is more than training.max_steps (20)"), "\(warnings)")
        let fine = try ConfigLoader.decode(Data(#"{"training": {"max_steps": 20, "warmup_steps": 20}}"#.utf8), source: "run.json")
        #expect(ConfigValidation.warnings(fine).isEmpty)
    }
}
