import Foundation
import RunConfig
import Testing
import Training

@Suite struct ConfigLoaderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func decode(_ json: String, _ overrides: [String] = []) throws(ConfigError) -> TrainConfig {
        try ConfigLoader.decode(Data(json.utf8), source: "test.json", overrides: overrides)
    }

    @Test func fileValuesOverrideDefaultsAndTheRestStay() throws {
        let c = try decode(#"{"model": {"n_layer": 3}, "training": {"lr": 0.01}}"#)
        #expect(c.model.nLayer == 3)
        #expect(c.training.lr == 0.01)
        #expect(c.model.nEmbd == TrainConfig().model.nEmbd)
        #expect(c.training.beta2 == TrainConfig().training.beta2)
    }

    @Test func setOverridesParseNumbersBooleansAndStrings() throws {
        let c = try decode("{}", ["training.max_steps=7", "distributed.overlap=false", "data.corpus=some/file.txt", "training.lr=2e-4"])
        #expect(c.training.maxSteps == 7)
        #expect(c.distributed.overlap == .off)
        #expect(c.data.corpus == "some/file.txt")
        #expect(c.training.lr == 2e-4)
    }

    @Test func unknownKeysWrongTypesAndBadValuesNameTheField() {
        let cases: [(String, [String], String)] = [
            (#"{"modell": {}}"#, [], "modell"),
            (#"{"model": {"n_head": 5}}"#, [], "model.n_embd"),
            (#"{"model": {"n_layer": 2.5}}"#, [], "model.n_layer"),
            (#"{"model": 3}"#, [], "model"),
            (#"{"training": {"grad_clip": -1}}"#, [], "training.grad_clip"),
            (#"[1, 2]"#, [], "top level"),
            ("{}", ["eval.nope=1"], "eval.nope"),
            ("{}", ["training.max_steps"], "section.key=value"),
        ]
        for (json, overrides, expected) in cases {
            do {
                _ = try decode(json, overrides)
                Issue.record("\(json) \(overrides) was accepted")
            } catch {
                #expect("\(error)".contains(expected), "\(json): \(error)")
            }
        }
    }

    @Test func bundledConfigsLoad() throws {
        for name in ["gpt-tiny", "gpt-small", "gpt2-124m"] {
            let c = try ConfigLoader.load(path: Self.root.appendingPathComponent("configs/\(name).json").path)
            #expect(c.model.nEmbd % c.model.nHead == 0)
        }
    }

    @Test func canonicalJSONRoundTrips() throws {
        let c = try decode(#"{"model": {"n_layer": 4}}"#)
        let again = try ConfigLoader.decode(ConfigLoader.canonicalJSON(c), source: "canonical")
        #expect(again == c)
    }
}

@Suite struct ScheduleAndPlanTests {
    @Test func warmupThenCosineToMinimum() {
        var t = TrainConfig().training
        t.lr = 1e-3; t.minLr = 1e-4; t.warmupSteps = 10; t.maxSteps = 110
        let s = LearningRateSchedule(t)
        #expect(abs(s.rate(at: 0) - 1e-3 / 11) < 1e-12)
        #expect(abs(s.rate(at: 10) - 1e-3) < 1e-12)
        #expect(abs(s.rate(at: 60) - 5.5e-4) < 1e-9)
        #expect(abs(s.rate(at: 110) - 1e-4) < 1e-12)
        t.schedule = "linear"
        #expect(abs(LearningRateSchedule(t).rate(at: 60) - 5.5e-4) < 1e-9)
        t.schedule = "constant"
        #expect(LearningRateSchedule(t).rate(at: 100) == 1e-3)
    }

    @Test func planSplitsTheSameSamplesAcrossAnyWorldSize() throws {
        var c = TrainConfig()
        c.model.blockSize = 32; c.training.microBatch = 2; c.training.batchTokens = 512
        var seen: [Int: Set<Int>] = [:]
        for world in [1, 2, 4, 8] {
            let plan = try BatchPlan(config: c, worldSize: world)
            #expect(plan.accumulationSteps * world * plan.microBatch == plan.sequencesPerStep)
            var positions = Set<Int>()
            for rank in 0..<world {
                for micro in 0..<plan.accumulationSteps {
                    let first = plan.firstPosition(step: 3, rank: rank, micro: micro)
                    for j in 0..<plan.microBatch { positions.insert(first + j) }
                }
            }
            seen[world] = positions
        }
        #expect(seen[1] == Set(48..<64))
        #expect(seen.values.allSatisfy { $0 == seen[1] })
        #expect(throws: ConfigError.self) { try BatchPlan(config: c, worldSize: 3) }
    }
}
