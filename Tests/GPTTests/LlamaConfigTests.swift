import Foundation
import Testing
import GPT

/// A config from before the Llama family decodes with the defaults; every key is encoded and
/// decodes back to the same value.
@Test func configDecodesMissingKeysAsDefaults() throws {
    let old = #"{"n_layer":2,"n_head":2,"n_embd":32,"block_size":16,"vocab_size":64}"#
    let decoded = try JSONDecoder().decode(GPTConfig.self, from: Data(old.utf8))
    #expect(decoded == tinyConfig)
    #expect(decoded.family == .gpt2 && decoded.tiedHead && !decoded.qkNorm && decoded.intermediateSize == 0)
    #expect(decoded.ropeTheta == 10_000 && decoded.normEps == 1e-6)
    let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(tinyQwenConfig)) as? [String: Any]
    #expect(Set(encoded?.keys.map { $0 } ?? []) == ["n_layer", "n_head", "n_embd", "block_size", "vocab_size", "family",
                                                    "intermediate_size", "tied_head", "qk_norm", "rope_theta", "norm_eps"])
    #expect(encoded?["family"] as? String == "llama")
    #expect(try JSONDecoder().decode(GPTConfig.self, from: JSONEncoder().encode(tinyQwenConfig)) == tinyQwenConfig)
}

/// An unknown family is a decoding error naming the choices.
@Test func unknownFamilyNamesTheChoices() {
    let json = #"{"n_layer":2,"n_head":2,"n_embd":32,"block_size":16,"vocab_size":64,"family":"mamba"}"#
    #expect {
        try JSONDecoder().decode(GPTConfig.self, from: Data(json.utf8))
    } throws: { error in
        "\(error)".contains("unknown model family \"mamba\"; choose one of \"gpt2\", \"llama\"")
    }
}

/// The default SwiGLU width: 8C/3 rounded up to a multiple of 64.
@Test func defaultIntermediateSize() {
    #expect(GPTConfig.defaultIntermediateSize(width: 384) == 1024)
    #expect(GPTConfig.defaultIntermediateSize(width: 768) == 2048)
    #expect(GPTConfig.defaultIntermediateSize(width: 256) == 704)
    #expect(GPTConfig.defaultIntermediateSize(width: 1) == 64)
    #expect(tinyLlamaConfig.resolvedIntermediateSize == 40)
}

/// problems(): each inconsistent family setting is one problem naming its field.
@Test func familyProblemsNameTheField() {
    #expect(tinyConfig.problems().isEmpty && tinyLlamaConfig.problems().isEmpty && tinyQwenConfig.problems().isEmpty)
    var gpt2 = tinyConfig
    gpt2.qkNorm = true
    gpt2.tiedHead = false
    gpt2.intermediateSize = 100
    #expect(gpt2.problems().map(\.field) == ["model.tied_head", "model.qk_norm", "model.intermediate_size"])
    var odd = GPTConfig(nLayer: 2, nHead: 4, nEmbd: 36, blockSize: 16, vocabSize: 300, family: .llama)
    #expect(odd.problems().map(\.field) == ["model.n_head"])
    #expect(odd.problems().first?.message.contains("9 is odd") == true)
    odd.nHead = 3
    #expect(odd.problems().isEmpty)
    var bad = tinyLlamaConfig
    bad.intermediateSize = -1
    bad.ropeTheta = 0
    bad.normEps = 0
    #expect(bad.problems().map(\.field) == ["model.intermediate_size", "model.rope_theta", "model.norm_eps"])
    #expect(bad.problems().allSatisfy { !$0.message.isEmpty && $0.description.hasPrefix($0.field + ": ") })
}

/// The config.json transformers wrote for each fixture model reads back as our config, and our
/// export gives the same values for every key transformers wrote.
@Test func huggingFaceConfigRoundTrips() throws {
    let url = try #require(Bundle.module.url(forResource: "llama_reference", withExtension: "json", subdirectory: "Fixtures"))
    let cases = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
    for c in cases {
        let hf = try #require(c["hf_config"] as? [String: Any])
        let ours = try JSONDecoder().decode(GPTConfig.self, from: JSONSerialization.data(withJSONObject: try #require(c["config"])))
        let read = try GPTConfig(huggingFaceLlama: hf)
        #expect(read == ours)
        // Through JSON, so that both sides are Foundation's parsed values.
        let exported = try #require(ours.huggingFaceLlamaConfig(endOfText: 0))
        let parsed = try #require(try JSONSerialization.jsonObject(with: JSONSerialization.data(withJSONObject: exported)) as? [String: Any])
        for (key, value) in hf {
            if let number = value as? NSNumber, !(value is String) {
                #expect((parsed[key] as? NSNumber)?.doubleValue == number.doubleValue, "\(key)")
            } else {
                #expect(parsed[key].map { "\($0)" } == "\(value)", "\(key)")
            }
        }
    }
    let gqa: [String: Any] = ["model_type": "llama", "hidden_size": 16, "num_attention_heads": 2, "num_hidden_layers": 1, "num_key_value_heads": 1]
    #expect(throws: GPTConfigProblem.self) { try GPTConfig(huggingFaceLlama: gqa) }
    #expect(tinyConfig.huggingFaceLlamaConfig(endOfText: 0) == nil)
}
