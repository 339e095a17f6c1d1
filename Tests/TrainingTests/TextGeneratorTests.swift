import Data
import Foundation
import GPT
import Inference
import Testing
import Training

@Suite struct TextGeneratorTests {
    /// A small random model whose logits are far from uniform (weights larger than GPT-2's init).
    let model: GPTModel = {
        let model = GPTModel(config: GPTConfig(nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 32, vocabSize: 96), maxBatch: 1, maxSequence: 32)
        var rng = SplitMix64(seed: 7)
        model.initializeWeights(using: &rng)
        for i in model.layout.tensor(named: "wte.weight")!.range { model.parameters[i] *= 6 }
        return model
    }()

    func generate(_ settings: TextGenerator.Settings, prompt: [Int32] = [1, 2, 3]) -> [Int32] {
        var out: [Int32] = []
        TextGenerator(model: model, endOfText: 95).generate(prompt: prompt, settings: settings) { out.append($0); return true }
        return out
    }

    @Test func topPOneIsPlainSamplingAndTinyTopPIsGreedy() {
        let greedy = generate(.init(maxTokens: 40, temperature: 0, topK: 0, seed: 1))
        #expect(greedy.count == 40)
        for seed: UInt64 in [1, 2, 3] {
            let plain = generate(.init(maxTokens: 40, temperature: 1, topK: 0, seed: seed))
            #expect(generate(.init(maxTokens: 40, temperature: 1, topK: 0, topP: 1, seed: seed)) == plain)
            #expect(generate(.init(maxTokens: 40, temperature: 1, topK: 0, topP: 1e-6, seed: seed)) == greedy)
            #expect(generate(.init(maxTokens: 40, temperature: 1.5, topK: 10, topP: 1e-6, seed: seed)) == greedy)
        }
        // Sampling really samples: seeds give different texts, and a seed gives the same text again.
        let a = generate(.init(maxTokens: 40, temperature: 1, topK: 0, topP: 0.9, seed: 11))
        #expect(a == generate(.init(maxTokens: 40, temperature: 1, topK: 0, topP: 0.9, seed: 11)))
        #expect(a != generate(.init(maxTokens: 40, temperature: 1, topK: 0, topP: 0.9, seed: 12)))
        #expect(a != greedy && Set(a).count > 3)
    }

    @Test func nucleusKeepsTheMostLikelyTokensUpToP() {
        let logits: [Float] = [0.15, 0.5, 0.05, 0.3].map { Float(log($0)) }
        func tokens(_ topK: Int, _ topP: Double) -> [Int32] {
            logits.withUnsafeBufferPointer {
                TextGenerator.distribution($0, settings: .init(maxTokens: 1, temperature: 1, topK: topK, topP: topP, seed: 0)).map(\.token)
            }
        }
        #expect(tokens(0, 1) == [0, 1, 2, 3])
        #expect(tokens(0, 0.79) == [1, 3])
        #expect(tokens(0, 0.81) == [0, 1, 3])
        #expect(tokens(0, 0.01) == [1])
        #expect(tokens(2, 1) == [1, 3])
        #expect(tokens(3, 0.5) == [1])
        let weights = logits.withUnsafeBufferPointer {
            TextGenerator.distribution($0, settings: .init(maxTokens: 1, temperature: 1, topK: 0, seed: 0)).map(\.weight)
        }
        #expect(zip(weights, [0.3, 1, 0.1, 0.6]).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func emitReturningFalseStops() {
        var out: [Int32] = []
        TextGenerator(model: model, endOfText: 95).generate(prompt: [1], settings: .init(maxTokens: 40, temperature: 0, topK: 0, seed: 1)) {
            out.append($0)
            return out.count < 5
        }
        #expect(out.count == 5)
    }

    @Test func stopStringsHoldBackPossibleBeginningsAndCutAtTheFirstMatch() {
        func run(_ stops: [String], _ chunks: [String]) -> (String, Bool) {
            var filter = StopStrings(stops)
            var out: [UInt8] = []
            for c in chunks where !filter.stopped { out += filter.push(Array(c.utf8)) }
            out += filter.finish()
            return (String(decoding: out, as: UTF8.self), filter.stopped)
        }
        #expect(run(["\n\n"], ["Hel", "lo\n", "\nWorld"]) == ("Hello", true))
        #expect(run(["END"], ["abE", "x", "EN"]) == ("abExEN", false))
        #expect(run(["END", "b"], ["aE", "ND", "b"]) == ("a", true))
        #expect(run(["Q:"], ["A: 4\nQ", ": what"]) == ("A: 4\n", true))
        #expect(run([], ["plain"]) == ("plain", false))
        var filter = StopStrings(["xyz"])
        #expect(filter.push(Array("abcxy".utf8)) == Array("abc".utf8))
        #expect(filter.push(Array("z!".utf8)) == [])
        #expect(filter.stopped)
    }
}
