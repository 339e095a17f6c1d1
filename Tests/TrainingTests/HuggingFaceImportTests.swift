import Checkpoints
import Foundation
import GPT
import ModelFiles
import Testing
import Training

/// Reads the GPT-2 directory that transformers wrote (reference/make_hf_fixture.py) and checks our
/// forward pass against the logits transformers computed, then our own Hugging Face export.
@Suite struct HuggingFaceImportTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/hf-gpt2-tiny")

    struct Reference: Decodable {
        let prompt: String
        let input_ids: [Int32]
        let positions: [Int]
        let logits: [[Float]]
    }

    static func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: fixture.appendingPathComponent("logits.json")))
    }

    /// Opens `directory` as init_from does, runs the reference prompt and returns the largest
    /// absolute difference from transformers' logits.
    static func maxLogitError(_ directory: URL) throws -> Float {
        let ref = try reference()
        let pretrained = try PretrainedWeights.open(directory.path)
        let model = GPTModel(config: pretrained.modelConfig, maxBatch: 1, maxSequence: ref.input_ids.count)
        try pretrained.load(into: model)
        ref.input_ids.withUnsafeBufferPointer { _ = model.forward(inputs: $0, targets: nil, batch: 1, sequence: $0.count) }
        var worst: Float = 0
        for (i, t) in ref.positions.enumerated() {
            let ours = model.logits(batch: 0, position: t)
            #expect(ours.count == ref.logits[i].count)
            for (a, b) in zip(ours, ref.logits[i]) { worst = max(worst, abs(a - b)) }
        }
        return worst
    }

    static func temporaryCopy(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hf-\(name)-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: fixture, to: dir)
        return dir
    }

    /// Rewrites dir/model.safetensors with `transform` applied to its (name, F32 values, shape) list.
    static func rewriteWeights(_ dir: URL, _ transform: ([(name: String, shape: [Int], values: [Float])]) -> [SafetensorsTensor]) throws {
        let url = dir.appendingPathComponent("model.safetensors")
        let file = try SafetensorsFile(url: url)
        let tensors = try file.entries.map { ($0.name, $0.shape, try file.floats(named: $0.name)) }
        let rewritten = transform(tensors)
        try FileManager.default.removeItem(at: url)
        try Safetensors.write(tensors: rewritten, metadata: ["format": "pt"], to: url)
    }

    @Test func importedWeightsGiveTransformersLogits() throws {
        let ref = try Self.reference()
        let pretrained = try PretrainedWeights.open(Self.fixture.path)
        #expect(pretrained.modelConfig == GPTConfig(nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 64, vocabSize: 320))
        // Our tokenizer reads the files the tokenizers library wrote and splits the prompt as transformers does.
        let tokenizer = try pretrained.tokenizer()
        #expect(tokenizer.encode(ref.prompt) == ref.input_ids)
        let error = try Self.maxLogitError(Self.fixture)
        #expect(error <= 1e-4, "max |logit - transformers| = \(error)")
    }

    @Test func tokenizerJSONAloneIsEnough() throws {
        // transformers 5 saves tokenizers as tokenizer.json only.
        let dir = try Self.temporaryCopy("tokenizer-json")
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["vocab.json", "merges.txt"] { try FileManager.default.removeItem(at: dir.appendingPathComponent(name)) }
        let pretrained = try PretrainedWeights.open(dir.path)
        #expect(pretrained.tokenizerDirectory != dir)
        let ref = try Self.reference()
        #expect(try pretrained.tokenizer().encode(ref.prompt) == ref.input_ids)
        #expect(try pretrained.tokenizer().endOfText == 0)
    }

    @Test func namesWithPrefixTiedHeadAndHalfPrecisionLoad() throws {
        let dir = try Self.temporaryCopy("variants")
        defer { try? FileManager.default.removeItem(at: dir) }
        // transformer.-prefixed names, an lm_head equal to wte, and the causal-mask buffers.
        try Self.rewriteWeights(dir) { tensors in
            var out = tensors.map { SafetensorsTensor(name: $0.name.hasPrefix("transformer.") ? $0.name : "transformer." + $0.name, shape: $0.shape, floats: $0.values) }
            if let wte = tensors.first(where: { $0.name.hasSuffix("wte.weight") }) {
                out.append(SafetensorsTensor(name: "lm_head.weight", shape: wte.shape, floats: wte.values))
            }
            out.append(SafetensorsTensor(name: "transformer.h.0.attn.bias", shape: [1, 1, 2, 2], floats: [1, 0, 1, 1]))
            out.append(SafetensorsTensor(name: "transformer.h.0.attn.masked_bias", shape: [], floats: [-1e4]))
            return out
        }
        #expect(try Self.maxLogitError(dir) <= 1e-4)
        // BF16 weights: the same model up to bfloat16 rounding (loose bound, not the reference's).
        try Self.rewriteWeights(dir) { tensors in
            tensors.filter { !$0.name.hasPrefix("lm_head") }.map { t in
                let bits = t.values.map { UInt16(truncatingIfNeeded: $0.bitPattern >> 16) }
                return SafetensorsTensor(name: t.name, dtype: .bf16, shape: t.shape, data: bits.withUnsafeBytes { Data($0) })
            }
        }
        let bf16 = try Self.maxLogitError(dir)
        #expect(bf16 > 0 && bf16 < 0.5, "bf16 error \(bf16)")
    }

    @Test func unsupportedDirectoriesGetOneLineSayingWhatIsSupported() throws {
        func expectRefusal(_ name: String, _ expected: String, _ change: (URL) throws -> Void) throws {
            let dir = try Self.temporaryCopy(name)
            defer { try? FileManager.default.removeItem(at: dir) }
            try change(dir)
            do {
                let pretrained = try PretrainedWeights.open(dir.path)
                let model = GPTModel(config: pretrained.modelConfig, maxBatch: 1, maxSequence: 1)
                try pretrained.load(into: model)
                Issue.record("\(name): accepted")
            } catch {
                let text = "\(error)"
                #expect(text.contains(expected), "\(name): \(text)")
                #expect(!text.contains("\n"), "\(name): \(text)")
                #expect(text.contains("init_from takes"), "\(name): \(text)")
            }
        }
        func editConfig(_ dir: URL, _ edit: (inout [String: Any]) -> Void) throws {
            let url = dir.appendingPathComponent("config.json")
            var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
            edit(&json)
            try JSONSerialization.data(withJSONObject: json).write(to: url)
        }
        try expectRefusal("mistral", "model_type \"mistral\"") { try editConfig($0) { $0["model_type"] = "mistral" } }
        try expectRefusal("llama-gqa", "grouped-query attention is not supported") {
            try editConfig($0) {
                $0 = ["model_type": "llama", "hidden_size": 32, "num_attention_heads": 2, "num_key_value_heads": 1, "num_hidden_layers": 2,
                      "intermediate_size": 64, "max_position_embeddings": 64, "vocab_size": 320]
            }
        }
        try expectRefusal("untied", "untied") { try editConfig($0) { $0["tie_word_embeddings"] = false } }
        try expectRefusal("relu", "activation_function \"relu\"") { try editConfig($0) { $0["activation_function"] = "relu" } }
        try expectRefusal("big-vocab", "65536") { try editConfig($0) { $0["vocab_size"] = 100_000 } }
        try expectRefusal("bin", "pytorch_model.bin") { dir in
            try FileManager.default.moveItem(at: dir.appendingPathComponent("model.safetensors"), to: dir.appendingPathComponent("pytorch_model.bin"))
        }
        try expectRefusal("sharded", "sharded") { dir in
            try FileManager.default.moveItem(at: dir.appendingPathComponent("model.safetensors"), to: dir.appendingPathComponent("model-00001-of-00002.safetensors"))
            try Data("{}".utf8).write(to: dir.appendingPathComponent("model.safetensors.index.json"))
        }
        try expectRefusal("no-merges", "merges.txt is missing") { try FileManager.default.removeItem(at: $0.appendingPathComponent("merges.txt")) }
        try expectRefusal("lm-head", "lm_head.weight differs") { dir in
            try Self.rewriteWeights(dir) { tensors in
                let wte = tensors.first { $0.name.hasSuffix("wte.weight") }!
                return tensors.map { SafetensorsTensor(name: $0.name, shape: $0.shape, floats: $0.values) }
                    + [SafetensorsTensor(name: "lm_head.weight", shape: wte.shape, floats: wte.values.map { $0 + 1 })]
            }
        }
    }
}
