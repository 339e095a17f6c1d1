import Foundation
import GPT
import Testing
import TaskEvaluation

/// Beam search against transformers' `generate(num_beams=N, do_sample=False)` on a tiny random GPT-2
/// (reference/make_beam_fixture.py): the same ids for 4 prompts × N in 1, 2, 4 × length_penalty 1, 0.5, 2.
@Suite struct BeamSearchTests {
    static func fixture() throws -> (model: GPTModel, eos: Int32, maxTokens: Int, cases: [[String: Any]]) {
        let object = try fixtureJSON("beam_reference.json") as! [String: Any]
        let c = object["config"] as! [String: Int]
        let config = GPTConfig(nLayer: c["n_layer"]!, nHead: c["n_head"]!, nEmbd: c["n_embd"]!, blockSize: c["block_size"]!, vocabSize: c["vocab_size"]!)
        let model = GPTModel(config: config, maxBatch: 1, maxSequence: config.blockSize)
        let params = object["params"] as! [Double]
        #expect(params.count == model.layout.totalCount)
        for (i, p) in params.enumerated() { model.parameters[i] = Float(p) }
        return (model, Int32(object["eos"] as! Int), object["max_new_tokens"] as! Int, object["cases"] as! [[String: Any]])
    }

    @Test func generatesWhatTransformersGenerates() throws {
        let (model, eos, maxTokens, cases) = try Self.fixture()
        #expect(cases.count == 36)
        var matched = 0
        for item in cases {
            let prompt = (item["prompt"] as! [Int]).map(Int32.init)
            let beams = item["beams"] as! Int, penalty = item["length_penalty"] as! Double
            let ours = BeamSearch(beams: beams, lengthPenalty: penalty).generate(model: model, prompt: prompt, maxTokens: maxTokens, endOfText: eos)
            let theirs = (item["generated"] as! [Int]).map(Int32.init)
            #expect(ours == theirs, "prompt \(prompt), \(beams) beams, length_penalty \(penalty)")
            if ours == theirs { matched += 1 }
        }
        print("beam search: \(matched) of \(cases.count) cases equal to transformers'")
    }

    @Test func oneBeamIsGreedy() throws {
        let (model, eos, maxTokens, _) = try Self.fixture()
        for prompt: [Int32] in [[5], [1, 2, 3], [33, 33], [7, 7, 7, 7]] {
            let beam = BeamSearch(beams: 1).generate(model: model, prompt: prompt, maxTokens: maxTokens, endOfText: eos)
            let greedy = LogLikelihoodScorer(model: model).greedy(context: prompt, maxTokens: maxTokens, endOfText: eos) { _ in false }
            #expect(beam.filter { $0 != eos } == greedy, "prompt \(prompt)")
        }
    }
}
