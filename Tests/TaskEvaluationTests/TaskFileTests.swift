import Foundation
import Testing
import TaskEvaluation

/// Bad task and few-shot files are refused with the file, the line and what to change.
@Suite struct TaskFileTests {
    static func problem(_ lines: [String], shots: Int = 0, sampling: FewShotSampling = .random, block: Int = 24,
                        fewshot: [String]? = nil) throws -> String {
        let path = try temporaryFile("task.jsonl", lines)
        let pool = try fewshot.map { try temporaryFile("pool.jsonl", $0) }
        do {
            _ = try PreparedTask(spec: TaskSpec(path: path, fewshotPath: pool, shots: shots, sampling: sampling),
                                 encoder: RequestEncoder(tokenizer: testTokenizer, blockSize: block))
            return "no error"
        } catch {
            return error.description.replacingOccurrences(of: path, with: "TASK").replacingOccurrences(of: pool ?? "\u{0}", with: "POOL")
        }
    }

    static let good = #"{"context": "the", "choices": ["a", "b"], "label": 1}"#

    @Test func badLinesNameTheFileAndLine() throws {
        #expect(try Self.problem([Self.good, #"{"choices": ["a"], "label": 0}"#]).hasPrefix("TASK:2: has no string \"context\""))
        #expect(try Self.problem([Self.good, "", #"{"context": "x", "label": 0}"#]).hasPrefix("TASK:3: has no \"choices\""))
        #expect(try Self.problem([#"{"context": "x", "choices": ["a", "b"], "label": 2}"#]) == "TASK:1: label 2 is out of range for 2 choices (0...1)")
        #expect(try Self.problem([#"{"context": "x", "choices": ["a"], "label": true}"#]).hasPrefix("TASK:1: has no integer \"label\""))
        #expect(try Self.problem(["not json"]).hasPrefix("TASK:1: is not one JSON object"))
        #expect(try Self.problem([Self.good, #"{"context": "x", "target": "y"}"#]).hasPrefix("TASK:2: mixes generation"))
        #expect(try Self.problem(["", "  "]).hasPrefix("TASK: holds no items"))
    }

    @Test func fewShotPoolsTooSmallForKAreRefused() throws {
        let three = [Self.good, #"{"context": "a", "choices": ["a", "b"], "label": 0}"#, #"{"context": "b", "choices": ["a", "b"], "label": 0}"#]
        #expect(try Self.problem(three, shots: 2) == "no error")
        #expect(try Self.problem(three, shots: 3).hasPrefix("TASK: has 3 items but 3-shot needs 4 (K + 1"))
        #expect(try Self.problem(three, shots: 3, sampling: .firstN) == "TASK: has only 2 examples other than line 1 of TASK (duplicates of it are left out), 3 needed; lower --shots")
        #expect(try Self.problem(three, shots: 2, fewshot: [Self.good]).hasPrefix("POOL: has 1 items but 2-shot needs 2"))
    }

    @Test func itemsThatCannotFitEvenTruncatedAreRefused() throws {
        let long = #"{"context": "x", "choices": ["ok", "\#(String(repeating: "z", count: 30))"], "label": 0}"#
        #expect(try Self.problem([Self.good, long]) == "TASK:2: answer 1 is 31 tokens, longer than the model's block of 24 even with the context cut away; shorten it or use a model with a longer block")
        #expect(try Self.problem([#"{"context": "   ", "choices": ["a"], "label": 0}"#]).hasPrefix("TASK:1: the context is only whitespace"))
    }

    @Test func trailingSpacesMoveToTheContinuationAndLongContextsAreCutFromTheLeft() throws {
        let encoder = RequestEncoder(tokenizer: testTokenizer, blockSize: 8)
        let (context, continuation) = encoder.encodePair(context: "the rose ", continuation: " there")
        #expect(context == testTokenizer.encode("the rose"))
        #expect(context + continuation == testTokenizer.encode("the rose  there"))
        let request = try encoder.request(context: "abcdefghijklmnop", continuation: " the").get()
        #expect(request.window == Array(testTokenizer.encode("abcdefghijklmnop the").suffix(9)))
        #expect(request.continuationCount == 2)
        let empty = try encoder.request(context: "", continuation: " the").get()
        #expect(empty.window == [testTokenizer.endOfText] + testTokenizer.encode(" the"))
    }
}
