import Foundation
import GPT
import RunConfig
import Testing
import Training

/// `training.optimizer`, its Muon settings and the "wsd" schedule: defaults, refusals, exact rates.
@Suite struct OptimizerConfigTests {
    /// configs/gpt-tiny.json of this checkout.
    static let tiny = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("configs/gpt-tiny.json").path

    static func load(_ overrides: [String]) throws -> TrainConfig {
        try ConfigLoader.load(path: tiny, overrides: overrides.map { "training." + $0 })
    }

    static func refusal(_ overrides: [String]) -> ConfigError? {
        do { _ = try load(overrides) } catch let error as ConfigError { return error } catch { return nil }
        return nil
    }

    @Test func defaultsAreAdamWAndTheDocumentedMuonSettings() throws {
        let t = try Self.load([]).training
        #expect(t.optimizer == "adamw" && t.adamLr == 0 && t.muonMomentum == 0.95 && t.decayFraction == 0.2)
        #expect(t.resolvedAdamLr == 3e-3 / 4)
        let muon = try Self.load(["optimizer=muon", "lr=0.02", "adam_lr=0.004", "muon_momentum=0.9"]).training
        #expect(muon.optimizer == "muon" && muon.resolvedAdamLr == 0.004 && muon.muonMomentum == 0.9)
    }

    @Test func badValuesAreOneLineNamingTheField() throws {
        let unknown = try #require(Self.refusal(["optimizer=sgd"]))
        #expect(unknown.location == "training.optimizer")
        #expect(unknown.message == "\"sgd\" is not an optimizer; use \"adamw\" or \"muon\"")
        #expect(Self.refusal(["adam_lr=-1e-3"])?.location == "training.adam_lr")
        #expect(Self.refusal(["muon_momentum=1"])?.location == "training.muon_momentum")
        #expect(Self.refusal(["muon_momentum=-0.1"])?.location == "training.muon_momentum")
        #expect(Self.refusal(["decay_fraction=0"])?.location == "training.decay_fraction")
        #expect(Self.refusal(["decay_fraction=1.5"])?.location == "training.decay_fraction")
        let schedule = try #require(Self.refusal(["schedule=WSD"]))
        #expect(schedule.location == "training.schedule" && schedule.message.contains("\"wsd\""))
    }

    @Test func muonAddsItsBuffersToTheMemoryEstimate() throws {
        let adam = try MemoryRequirement(config: Self.load([]))
        let muon = try MemoryRequirement(config: Self.load(["optimizer=muon"]))
        // gpt-tiny (C 32, 2 blocks): 12·C² = 12288 matrix elements a block; the largest matrix,
        // c_fc or mlp.c_proj, has 4096; the Newton–Schulz Gram matrices 32². Momentum and updates
        // take one float per element, the scratch two of each size.
        #expect(muon.stateBytes - adam.stateBytes == 2 * (2 * 12288 + 4096 + 1024) * 4)
        #expect(muon.activationBytes == adam.activationBytes)
    }
}

@Suite struct WarmupStableDecayTests {
    /// lr 1, min_lr 0.25, 8 warmup steps, 64 steps, the last quarter (16 steps) decaying: every
    /// rate below is a binary fraction, so the schedule must give it exactly.
    static var training: TrainConfig.TrainingSection {
        var t = TrainConfig().training
        t.lr = 1; t.minLr = 0.25; t.warmupSteps = 8; t.maxSteps = 64; t.schedule = "wsd"; t.decayFraction = 0.25
        return t
    }

    @Test func ratesAtTheBoundariesAreExact() {
        let s = LearningRateSchedule(Self.training)
        #expect(s.decayStart == 48)
        #expect(s.rate(at: 0) == 1.0 / 9)
        #expect(s.rate(at: 7) == 8.0 / 9)
        #expect(s.rate(at: 8) == 1)
        #expect(s.rate(at: 47) == 1)
        #expect(s.rate(at: 48) == 1)
        #expect(s.rate(at: 49) == 0.25 + 0.75 * (15.0 / 16))
        #expect(s.rate(at: 52) == 0.8125)
        #expect(s.rate(at: 56) == 0.625)
        #expect(s.rate(at: 63) == 0.296875)
        #expect(s.rate(at: 64) == 0.25)
        #expect(s.rate(at: 100) == 0.25)
    }

    @Test func decayLengthRoundsAndNeverStartsBeforeWarmupEnds() {
        var t = Self.training
        t.maxSteps = 10; t.warmupSteps = 0
        // 0.25 × 10 = 2.5 steps rounds to 3: the decay starts at step 7.
        #expect(LearningRateSchedule(t).decayStart == 7)
        t.warmupSteps = 8; t.decayFraction = 1
        let s = LearningRateSchedule(t)
        #expect(s.decayStart == 8)
        #expect(s.rate(at: 8) == 1 && s.rate(at: 9) == 0.625)
    }

    @Test func theDefaultDecayShareIsAFifth() throws {
        let config = try ConfigLoader.load(path: OptimizerConfigTests.tiny, overrides: ["training.schedule=wsd", "training.max_steps=100"])
        let s = LearningRateSchedule(config.training)
        #expect(s.decayStart == 80)
        #expect(s.rate(at: 80) == config.training.lr)
        #expect(abs(s.rate(at: 90) - (3e-4 + 0.5 * 2.7e-3)) < 1e-15)
    }
}
