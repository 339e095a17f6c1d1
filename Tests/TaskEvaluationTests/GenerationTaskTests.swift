import Collectives
import Foundation
import Testing
import TaskEvaluation

/// Generation items: greedy until a stop string, exact match, and the target's log-likelihood.
@Suite struct GenerationTaskTests {
    @Test func greedyTextIsCutAtTheFirstStopAndComparedWithTheTarget() throws {
        let model = testModel()
        let encoder = RequestEncoder(tokenizer: testTokenizer, blockSize: 24)
        let scorer = LogLikelihoodScorer(model: model)
        // What greedy decoding produces after "the rose", without stops: the expected text is built from it.
        let free = testTokenizer.decodeString(scorer.greedy(context: testTokenizer.encode("the rose"), maxTokens: 6, endOfText: testTokenizer.endOfText) { _ in false })
        try #require(free.count >= 2)
        let stop = String(free.dropFirst().prefix(1))
        let expected = TaskScoring.cut(free, at: [stop])
        let path = try temporaryFile("gen.jsonl", [
            #"{"context": "the rose", "target": \#(String(data: try JSONEncoder().encode(expected), encoding: .utf8)!), "until": [\#(String(data: try JSONEncoder().encode(stop), encoding: .utf8)!)]}"#,
            #"{"context": "the rose", "target": "never this", "until": [\#(String(data: try JSONEncoder().encode(stop), encoding: .utf8)!)]}"#,
        ])
        let task = try PreparedTask(spec: TaskSpec(path: path), encoder: encoder, maxGenerationTokens: 6)
        let result = try TaskScoring.score(task, scorer: scorer, tokenizer: testTokenizer, communicator: LocalCommunicator())
        #expect(result.items.map(\.generated) == [expected, expected])
        #expect(result.metric("exact_match") == MetricValue(items: [1, 0]))
        let target = try encoder.request(context: "the rose", continuation: " never this").get()
        #expect(result.items[1].scores == [LogLikelihoodScorer(model: model).score(target)])
    }

    @Test func cutStopsAtTheEarliestOfSeveralStops() {
        #expect(TaskScoring.cut("a, b. c", at: [".", ","]) == "a")
        #expect(TaskScoring.cut("abc", at: ["x"]) == "abc")
    }

    @Test func generationNeedsRoomInTheBlock() throws {
        let path = try temporaryFile("gen.jsonl", [#"{"context": "the", "target": "rose"}"#])
        #expect(throws: TaskFileError.self) {
            _ = try PreparedTask(spec: TaskSpec(path: path), encoder: RequestEncoder(tokenizer: testTokenizer, blockSize: 8), maxGenerationTokens: 8)
        }
    }
}
