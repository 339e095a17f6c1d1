import Foundation
import RunConfig
import Testing

/// A bad `--set` value is the command line's fault: its message names that `--set` and the key,
/// never the config file, which decoded without it (issue 28, item 9).
@Suite struct SetOverrideSourceTests {
    func failure(_ json: String, _ overrides: [String]) -> ConfigError? {
        do throws(ConfigError) {
            _ = try ConfigLoader.decode(Data(json.utf8), source: "configs/some-run.json", overrides: overrides)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        "training.lr=abc", "training.max_steps=2.5", "model.n_layer=\"two\"", "training.max_steps=null", "model.n_head=-1e400",
    ])
    func badSetValueNamesTheSetAndTheKey(override: String) throws {
        let error = try #require(failure(#"{"training": {"max_steps": 10}}"#, ["training.seed=3", override]))
        let key = String(override[..<override.firstIndex(of: "=")!])
        #expect(error.location == "--set \(override)", "\(error)")
        #expect(error.description.contains(key), "\(error)")
        #expect(!error.description.contains("some-run.json"), "\(error)")
    }

    @Test func badFileValueStillNamesTheFile() throws {
        let error = try #require(failure(#"{"training": {"lr": "abc"}}"#, ["training.seed=3"]))
        #expect(error.location == "configs/some-run.json", "\(error)")
        #expect(error.description.contains("training.lr"))
    }

    @Test(arguments: ["training..lr=1", ".lr=1", "training.lr.=1", "training.lr..x=1"])
    func emptyKeyPartsAreRefused(override: String) throws {
        let error = try #require(failure("{}", [override]))
        #expect(error.location == "--set \(override)", "\(error)")
        #expect(error.message.contains("empty part"), "\(error)")
    }
}
