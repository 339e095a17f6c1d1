import Foundation
import Testing
import GPT

/// One case of what reference/make_llama_fixture.py writes.
private struct LlamaReference: Decodable {
    let name: String
    let config: GPTConfig
    let B: Int, T: Int
    let names: [String]
    let params: [Float], grads: [Float], logits: [Float]
    let inputs: [Int32], targets: [Int32]
    let loss: Double
}

private func loadCases() throws -> [LlamaReference] {
    let url = try #require(Bundle.module.url(forResource: "llama_reference", withExtension: "json", subdirectory: "Fixtures"))
    return try JSONDecoder().decode([LlamaReference].self, from: Data(contentsOf: url))
}

/// Loss, logits at every position and every gradient against transformers' LlamaForCausalLM
/// (tied and untied) and Qwen3ForCausalLM (qk_norm), float64: to 1e-4 absolute, with the
/// parameters in our layout under transformers' names.
@Test(arguments: ["llama_tied", "llama_untied", "qwen3"])
func matchesTransformersReference(caseName: String) throws {
    let ref = try #require(try loadCases().first { $0.name == caseName })
    let (model, loss, counted) = referenceForward(config: ref.config, params: ref.params, inputs: ref.inputs,
                                                  targets: ref.targets, batch: ref.B, sequence: ref.T)
    #expect(model.layout.tensors.map(\.name) == ref.names)
    let lossError = abs(loss.mean - ref.loss)
    #expect(lossError < 1e-5)

    let V = ref.config.vocabSize
    var logitError: Float = 0
    for b in 0..<ref.B {
        for t in 0..<ref.T {
            let row = model.logits(batch: b, position: t)
            for j in 0..<V { logitError = max(logitError, abs(row[j] - ref.logits[(b * ref.T + t) * V + j])) }
        }
    }
    #expect(logitError <= 1e-4)

    var ranges: [Range<Int>] = []
    model.backward(lossScale: 1 / Float(counted)) { ranges.append($0) }
    #expect(ranges.map(\.count).reduce(0, +) == model.layout.totalCount)
    #expect(Set(ranges.flatMap { Array($0) }).count == model.layout.totalCount)
    var gradError: Float = 0, worst = 0
    for i in 0..<ref.grads.count where abs(model.gradients[i] - ref.grads[i]) > gradError {
        gradError = abs(model.gradients[i] - ref.grads[i])
        worst = i
    }
    let name = model.layout.tensors.first { $0.range.contains(worst) }?.name ?? "?"
    #expect(gradError <= 1e-4, "gradient \(worst) in \(name): \(model.gradients[worst]) vs \(ref.grads[worst])")
    print("transformers reference \(caseName): loss abs error \(lossError), max logit abs error \(logitError), "
          + "max gradient abs error \(gradError) (\(name))")
}
