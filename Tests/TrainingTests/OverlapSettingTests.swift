import Foundation
import RunConfig
import Testing

/// distributed.overlap: true, false or "auto", and what "auto" decides for a launch.
@Suite struct OverlapSettingTests {
    func decode(_ overrides: [String]) throws(ConfigError) -> TrainConfig {
        try ConfigLoader.decode(Data("{}".utf8), source: "test.json", overrides: overrides)
    }

    @Test func acceptsTrueFalseAndAutoWithAutoTheDefault() throws {
        #expect(try decode([]).distributed.overlap == .auto)
        #expect(try decode(["distributed.overlap=true"]).distributed.overlap == .on)
        #expect(try decode(["distributed.overlap=false"]).distributed.overlap == .off)
        #expect(try decode(["distributed.overlap=auto"]).distributed.overlap == .auto)
        let file = try ConfigLoader.decode(Data(#"{"distributed": {"overlap": "auto"}}"#.utf8), source: "f.json")
        #expect(file.distributed.overlap == .auto)
    }

    @Test func writesBooleansSoOlderStateFilesStillRead() throws {
        for setting in [OverlapSetting.on, .off, .auto] {
            var c = TrainConfig()
            c.distributed.overlap = setting
            let json = String(decoding: try ConfigLoader.canonicalJSON(c), as: UTF8.self)
            #expect(json.contains("\"overlap\":\(setting == .auto ? "\"auto\"" : "\(setting)")"), "\(json)")
            #expect(try ConfigLoader.decode(Data(json.utf8), source: "again").distributed.overlap == setting)
        }
    }

    @Test func otherValuesNameTheFieldAndTheChoices() {
        for value in ["maybe", "1", "\"on\""] {
            do {
                _ = try decode(["distributed.overlap=\(value)"])
                Issue.record("overlap=\(value) was accepted")
            } catch {
                #expect("\(error)".contains("distributed.overlap"), "\(error)")
            }
        }
    }

    @Test func autoOverlapsOnlyWhenTheJobSpansMachines() {
        func launch(world: Int, local: Int) -> LaunchEnvironment {
            LaunchEnvironment(["OMPI_COMM_WORLD_SIZE": "\(world)", "OMPI_COMM_WORLD_LOCAL_SIZE": "\(local)"])
        }
        #expect(!OverlapSetting.auto.overlaps(in: launch(world: 2, local: 2)))
        #expect(!OverlapSetting.auto.overlaps(in: launch(world: 1, local: 1)))
        #expect(OverlapSetting.auto.overlaps(in: launch(world: 2, local: 1)))
        #expect(OverlapSetting.auto.overlaps(in: launch(world: 16, local: 8)))
        #expect(OverlapSetting.on.overlaps(in: launch(world: 2, local: 2)))
        #expect(!OverlapSetting.off.overlaps(in: launch(world: 16, local: 1)))
    }
}
