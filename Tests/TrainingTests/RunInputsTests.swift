import Foundation
import RunConfig
import Testing
import TestSupport
import Training

/// `RunInputs`: the config read once, init_from opened once and its model assigned before the
/// checks, so that every check judges the model that will be trained.
@Suite struct RunInputsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// A GPT-2 directory transformers wrote (block 64, vocab 320; reference/make_hf_fixture.py).
    static let fixture = root.appendingPathComponent("Tests/TrainingTests/Fixtures/hf-gpt2-tiny")
    static let config = root.appendingPathComponent("configs/gpt-tiny.json").path

    static func overrides(_ dir: URL, _ extra: [String] = []) -> [String] {
        ["data.corpus=\(root.appendingPathComponent("data/shakespeare/macbeth.txt").path)", "data.dir=\(dir.path)/data",
         "checkpoint.dir=\(dir.path)/run"] + extra
    }

    @Test func theInitFromModelReplacesTheConfigsAndTravelsWithTheRun() throws {
        let dir = try TestDirectory.make("run-inputs")
        let inputs = try RunInputs.load(configPath: Self.config, overrides: Self.overrides(dir, ["training.init_from=\(Self.fixture.path)"]),
                                        objective: .pretrain)
        #expect(inputs.config.model.blockSize == 64 && inputs.config.model.vocabSize == 320)
        #expect(inputs.notes.contains { $0.hasPrefix("model: taken from \(Self.fixture.path)") }, "\(inputs.notes)")
        guard case .pretrain(let weights?) = inputs.kind else { Issue.record("expected the opened weights in the kind"); return }
        #expect(weights.modelConfig == inputs.config.model)
        #expect(inputs.initFrom?.directory.path == Self.fixture.path)
    }

    @Test func withoutInitFromTheConfigsModelStands() throws {
        let dir = try TestDirectory.make("run-inputs-plain")
        let inputs = try RunInputs.load(configPath: Self.config, overrides: Self.overrides(dir), objective: .pretrain)
        #expect(inputs.config.model.blockSize == 32 && inputs.notes.isEmpty && inputs.initFrom == nil)
    }

    @Test func theBatchIsCheckedAgainstTheInitFromBlockSize() throws {
        let dir = try TestDirectory.make("run-inputs-batch")
        // 96 tokens are whole rows of the config's 32 but not of the checkpoint's 64.
        let batch = ["training.batch_tokens=96", "training.micro_batch=1"]
        _ = try RunInputs.load(configPath: Self.config, overrides: Self.overrides(dir, batch), objective: .pretrain)
        do {
            _ = try RunInputs.load(configPath: Self.config, overrides: Self.overrides(dir, batch + ["training.init_from=\(Self.fixture.path)"]),
                                   objective: .pretrain)
            Issue.record("expected a batch_tokens error")
        } catch let error as ConfigError {
            #expect(error.message.contains("96 is not a multiple of micro_batch × block_size = 64"), "\(error)")
        }
    }

    @Test func aFinetuneRefusesFreezingMoreLayersThanTheCheckpointHas() throws {
        let dir = try TestDirectory.make("run-inputs-freeze")
        let config = Self.root.appendingPathComponent("configs/finetune-classify-tiny.json").path
        do {
            _ = try RunInputs.load(configPath: config, overrides: ["finetune.init_from=\(Self.fixture.path)", "finetune.freeze_layers=3",
                                                              "checkpoint.dir=\(dir.path)/ft"], objective: .finetune)
            Issue.record("expected a freeze_layers error")
        } catch let error as ConfigError {
            #expect(error.message.contains("3 is more than the model's 2 layers"), "\(error)")
        }
    }

    @Test func anInitFromThatCannotBeOpenedNamesTheKey() throws {
        let dir = try TestDirectory.make("run-inputs-missing")
        let missing = dir.appendingPathComponent("nothing-here").path
        #expect { try RunInputs.load(configPath: Self.config, overrides: Self.overrides(dir, ["training.init_from=\(missing)"]), objective: .pretrain) }
            throws: { "\($0)".hasPrefix("training.init_from: ") && "\($0)".contains(missing) }
    }
}
