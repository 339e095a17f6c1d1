import Checkpoints
import Foundation
import GPT
import ModelFiles
import RunConfig
import Testing

/// Reads the adapter that PEFT itself wrote (reference/make_peft_fixture.py) onto its base and
/// reproduces PEFT's logits; writes ours and reads it back; refuses what it cannot compute.
@Suite struct PEFTAdapterTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/peft-gpt2-tiny")

    struct Reference: Decodable {
        let input_ids: [Int32]
        let positions: [Int]
        let logits: [[Float]]
        let base_logits: [[Float]]
    }

    /// The fixture's base with `adapterDirectory`'s adapter attached.
    static func adaptedModel(_ adapterDirectory: URL, tokens: Int) throws -> GPTModel {
        try adaptedModel(base: fixture.appendingPathComponent("base"), adapterDirectory, tokens: tokens)
    }

    /// The weights of `base` loaded into a frozen model, with `adapterDirectory`'s adapter
    /// (read for the base's family) attached.
    static func adaptedModel(base directory: URL, _ adapterDirectory: URL, tokens: Int) throws -> GPTModel {
        let base = try PretrainedWeights.open(directory.path)
        let model = GPTModel(config: base.modelConfig, maxBatch: 1, maxSequence: tokens, trainsBase: false)
        try base.load(into: model)
        let description = try PEFTAdapter.describe(adapterDirectory, family: base.modelConfig.family)
        let adapter = LoRAAdapter(settings: description.settings, config: base.modelConfig, maxRows: tokens)
        try PEFTAdapter.load(from: adapterDirectory, into: adapter, optimizer: nil, head: nil)
        model.lora = adapter
        return model
    }

    /// Largest |ours − PEFT's| over the reference positions.
    static func worstError(_ model: GPTModel, _ ref: Reference, against logits: [[Float]]) -> Float {
        ref.input_ids.withUnsafeBufferPointer { _ = model.forward(inputs: $0, targets: nil, batch: 1, sequence: $0.count) }
        var worst: Float = 0
        for (i, t) in ref.positions.enumerated() {
            for (a, b) in zip(model.logits(batch: 0, position: t), logits[i]) { worst = max(worst, abs(a - b)) }
        }
        return worst
    }

    static func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: fixture.appendingPathComponent("logits.json")))
    }

    @Test func peftAdapterReproducesPEFTLogits() throws {
        let ref = try Self.reference()
        let adapterDirectory = Self.fixture.appendingPathComponent("adapter")
        let description = try PEFTAdapter.describe(adapterDirectory, family: .gpt2)
        #expect(description.settings == LoRASettings(rank: 4, alpha: 8, dropout: 0, targets: ["c_attn"]))
        #expect(description.taskType == "CAUSAL_LM")
        let model = try Self.adaptedModel(adapterDirectory, tokens: ref.input_ids.count)
        let worst = Self.worstError(model, ref, against: ref.logits)
        print("PEFT fixture: max |our logits − PEFT's| = \(worst)")
        #expect(worst <= 1e-4)
        // The adapter matters: the base's logits are far from these.
        model.lora = nil
        #expect(Self.worstError(model, ref, against: ref.logits) > 0.1)
    }

    /// Our writer's adapter_config.json and adapter_model.safetensors read back to the same logits.
    @Test func writtenAdapterReadsBack() throws {
        let ref = try Self.reference()
        let model = try Self.adaptedModel(Self.fixture.appendingPathComponent("adapter"), tokens: ref.input_ids.count)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("peft-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = LoRABase(directory: Self.fixture.appendingPathComponent("base"))
        for file in PEFTAdapter.writers(adapter: model.lora!, optimizer: nil, head: nil, base: base) {
            try file.write(dir.appendingPathComponent(file.name))
        }
        let names = try SafetensorsFile(url: dir.appendingPathComponent(PEFTAdapter.weightsFile)).names.sorted()
        #expect(names == (0..<2).flatMap { l in ["A", "B"].map { "base_model.model.transformer.h.\(l).attn.c_attn.lora_\($0).weight" } })
        let again = try Self.adaptedModel(dir, tokens: ref.input_ids.count)
        #expect(Self.worstError(again, ref, against: ref.logits) <= 1e-4)
        #expect(try LoRABase.read(dir) == base)
        try base.check(against: Self.fixture.appendingPathComponent("base"), adapter: dir)
        let other = dir.appendingPathComponent("other-base")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data("not the base".utf8).write(to: other.appendingPathComponent("model.safetensors"))
        let error = #expect(throws: TrainingError.self) { try base.check(against: other, adapter: dir) }
        #expect(error?.description.contains("apply it to its own base") == true)
    }

    /// DoRA, rsLoRA, a non-GPT-2 target or fan_in_fan_out false: refused with one line naming the file.
    @Test func unsupportedAdapterConfigsAreRefused() throws {
        let original = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixture.appendingPathComponent("adapter/adapter_config.json"))) as! [String: Any]
        for (key, value) in [("use_dora", true as Any), ("use_rslora", true), ("target_modules", ["q_proj"]), ("fan_in_fan_out", false), ("peft_type", "IA3")] {
            var json = original
            json[key] = value
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("peft-bad-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try JSONSerialization.data(withJSONObject: json).write(to: dir.appendingPathComponent(PEFTAdapter.configFile))
            let error = #expect(throws: TrainingError.self) { try PEFTAdapter.describe(dir, family: .gpt2) }
            #expect(error?.description.contains(PEFTAdapter.configFile) == true, "\(key)")
        }
    }
}
