import Foundation
import GPT
import Inference
import ModelFiles
import Testing

/// Two tiny Llama-family checkpoints of this trainer (tied llama, untied qwen3) that transformers
/// loaded with AutoModelForCausalLM + AutoTokenizer (reference/make_llama_greedy_fixture.py):
/// `trainer sample --temperature 0`'s generator gives transformers' greedy ids, and the config.json
/// we would write today is the one transformers was shown.
@Suite struct LlamaGreedyTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/llama-greedy")

    struct Reference: Decodable {
        struct Prompt: Decodable {
            let prompt: String
            let input_ids: [Int32]
            let generated: [Int32]
        }
        struct Case: Decodable {
            let name: String
            let prompts: [Prompt]
        }
        let cases: [Case]
    }

    static func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: fixture.appendingPathComponent("greedy.json")))
    }

    /// The fixture's checkpoint `name` opened as `trainer sample` opens it, from a copy (the test writes nothing into Fixtures).
    static func open(_ name: String) throws -> (LoadedCheckpoint, URL) {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("llama-greedy-\(name)-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: fixture.appendingPathComponent(name), to: copy)
        return (try LoadedCheckpoint(path: copy.path, batch: 1, warn: { _ in }), copy)
    }

    @Test(arguments: ["llama-tied", "qwen3-untied"])
    func greedyIdsEqualTransformers(name: String) throws {
        let ref = try #require(try Self.reference().cases.first { $0.name == name })
        let (loaded, copy) = try Self.open(name)
        defer { try? FileManager.default.removeItem(at: copy) }
        let model = loaded.state.config.model
        #expect(model.family == .llama && model.qkNorm == name.hasPrefix("qwen3") && model.tiedHead == name.hasSuffix("-tied"))
        var compared = 0
        for p in ref.prompts {
            let ids = loaded.tokenizer.encode(p.prompt)
            #expect(ids == p.input_ids, "\(name) \(p.prompt.debugDescription): tokenizer gives \(ids)")
            var out: [Int32] = []
            let settings = TextGenerator.Settings(maxTokens: model.blockSize - ids.count, temperature: 0, topK: 0, seed: 0)
            TextGenerator(model: loaded.model, endOfText: loaded.tokenizer.endOfText).generate(prompt: ids, settings: settings) {
                out.append($0)
                return true
            }
            #expect(out == p.generated, "\(name) \(p.prompt.debugDescription): ours \(out), transformers \(p.generated)")
            compared += out.count
        }
        #expect(compared >= 60, "too few tokens compared: \(compared)")
    }

    @Test(arguments: ["llama-tied", "qwen3-untied"])
    func exportedConfigIsTheOneTransformersLoaded(name: String) throws {
        let (loaded, copy) = try Self.open(name)
        defer { try? FileManager.default.removeItem(at: copy) }
        let committed = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixture.appendingPathComponent("\(name)/config.json")))
        let fresh = HuggingFaceConfig.json(model: loaded.state.config.model, endOfText: Int(loaded.tokenizer.endOfText))
        // Through JSON text and back, so numbers compare as transformers read them.
        let reread = try JSONSerialization.jsonObject(with: JSONSerialization.data(withJSONObject: fresh))
        let (a, b) = (try #require(committed as? NSDictionary), try #require(reread as? NSDictionary))
        #expect(a.isEqual(to: b as! [AnyHashable: Any]), "config.json drifted from what transformers loaded: \(b) vs \(a)")
        #expect(a["model_type"] as? String == (name.hasPrefix("qwen3") ? "qwen3" : "llama"))
    }
}
