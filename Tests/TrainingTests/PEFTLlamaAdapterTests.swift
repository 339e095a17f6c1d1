import Checkpoints
import Foundation
import GPT
import ModelFiles
import RunConfig
import Testing

/// Reads the adapters PEFT itself wrote on the two tiny Llama-family checkpoints
/// (reference/make_peft_llama_fixture.py: LlamaForCausalLM with all seven projections adapted,
/// Qwen3ForCausalLM with q_proj, k_proj, down_proj) and reproduces PEFT's logits, with the adapter
/// attached and merged; writes ours in PEFT's Llama names; refuses GPT-2 settings on a Llama base.
@Suite struct PEFTLlamaAdapterTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let cases = ["llama-tied", "qwen3-untied"]

    static func base(_ name: String) -> URL { fixtures.appendingPathComponent("llama-greedy/\(name)") }
    static func adapter(_ name: String) -> URL { fixtures.appendingPathComponent("peft-llama-tiny/\(name)/adapter") }

    static func reference(_ name: String) throws -> PEFTAdapterTests.Reference {
        let url = fixtures.appendingPathComponent("peft-llama-tiny/\(name)/logits.json")
        return try JSONDecoder().decode(PEFTAdapterTests.Reference.self, from: Data(contentsOf: url))
    }

    /// The base `name` loaded into a frozen model, with `adapterDirectory`'s adapter attached.
    static func adaptedModel(_ name: String, _ adapterDirectory: URL, tokens: Int) throws -> GPTModel {
        try PEFTAdapterTests.adaptedModel(base: base(name), adapterDirectory, tokens: tokens)
    }

    @Test(arguments: cases) func peftAdapterReproducesPEFTLogits(_ name: String) throws {
        let ref = try Self.reference(name)
        let description = try PEFTAdapter.describe(Self.adapter(name), family: .llama)
        #expect(description.taskType == "CAUSAL_LM")
        let model = try Self.adaptedModel(name, Self.adapter(name), tokens: ref.input_ids.count)
        #expect(model.lora!.slots.count == 2 * (name == "llama-tied" ? 7 : 3))
        let worst = PEFTAdapterTests.worstError(model, ref, against: ref.logits)
        print("PEFT llama fixture \(name): max |our logits − PEFT's| = \(worst)")
        #expect(worst <= 1e-4)
        model.lora = nil  // the adapter matters: the base alone is far from PEFT's adapted logits
        #expect(PEFTAdapterTests.worstError(model, ref, against: ref.base_logits) <= 1e-4)
        #expect(PEFTAdapterTests.worstError(model, ref, against: ref.logits) > 0.1)
    }

    /// `--adapter`'s path: the adapter merged into nn.Linear's (out, in) weights gives PEFT's logits.
    @Test(arguments: cases) func mergedPEFTAdapterReproducesPEFTLogits(_ name: String) throws {
        let ref = try Self.reference(name)
        let weights = try PretrainedWeights.open(Self.base(name).path)
        let model = GPTModel(config: weights.modelConfig, maxBatch: 1, maxSequence: ref.input_ids.count)
        try weights.load(into: model)
        var warnings: [String] = []
        try AdapterMerge.merge(Self.adapter(name), into: model, base: weights.directory, warn: { warnings.append($0) })
        #expect(warnings.count == 1 && warnings[0].contains("cannot be checked"))
        let worst = PEFTAdapterTests.worstError(model, ref, against: ref.logits)
        print("PEFT llama fixture \(name), merged: max |our logits − PEFT's| = \(worst)")
        #expect(worst <= 1e-4)
    }

    /// Our writer: PEFT's Llama names, fan_in_fan_out false; read back to the same logits.
    @Test func writtenLlamaAdapterReadsBack() throws {
        let name = "llama-tied", ref = try Self.reference(name)
        let model = try Self.adaptedModel(name, Self.adapter(name), tokens: ref.input_ids.count)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("peft-llama-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for file in PEFTAdapter.writers(adapter: model.lora!, optimizer: nil, head: nil, base: LoRABase(directory: Self.base(name))) {
            try file.write(dir.appendingPathComponent(file.name))
        }
        let names = try SafetensorsFile(url: dir.appendingPathComponent(PEFTAdapter.weightsFile)).names
        #expect(names.contains("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight"))
        #expect(names.contains("base_model.model.model.layers.0.mlp.gate_proj.lora_B.weight") && names.count == 2 * 2 * 7)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(PEFTAdapter.configFile))) as! [String: Any]
        #expect(config["fan_in_fan_out"] as? Bool == false && config["task_type"] as? String == "CAUSAL_LM")
        let again = try Self.adaptedModel(name, dir, tokens: ref.input_ids.count)
        #expect(PEFTAdapterTests.worstError(again, ref, against: ref.logits) <= 1e-4)
    }

    /// GPT-2 targets or fan_in_fan_out true on a Llama base, and Llama targets on a GPT-2 base:
    /// one line naming the file and the family's names.
    @Test func otherFamiliesSettingsAreRefused() throws {
        let original = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.adapter("llama-tied").appendingPathComponent(PEFTAdapter.configFile))) as! [String: Any]
        for (key, value, family, expected) in [("target_modules", ["c_attn"] as Any, ModelFamily.llama, "q_proj, k_proj, v_proj"),
                                               ("fan_in_fan_out", true, .llama, "fan_in_fan_out is not false"),
                                               ("target_modules", ["q_proj"], .gpt2, "must be some of c_attn")] {
            var json = original
            json[key] = value
            if family == .gpt2 { json["fan_in_fan_out"] = true }
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("peft-llama-bad-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try JSONSerialization.data(withJSONObject: json).write(to: dir.appendingPathComponent(PEFTAdapter.configFile))
            let error = #expect(throws: TrainingError.self) { try PEFTAdapter.describe(dir, family: family) }
            #expect(error?.description.contains(PEFTAdapter.configFile) == true && error?.description.contains(expected) == true,
                    "\(key): \(error?.description ?? "")")
        }
    }
}
