import Data
import Foundation
import RunConfig

/// Fine-tuning records turned into fixed-length token rows: each record is one row of `sequence`
/// tokens, padded on the right with `<|endoftext|>` whose targets are -1.
///
/// - instruct: the template's prompt then the output and `<|endoftext|>`; targets (the next token)
///   only where the next token belongs to the response, -1 elsewhere. A record too long for the
///   row loses the beginning of its prompt (the response is kept; only a response longer than the
///   row is cut at its end).
/// - classify: the text's tokens then `<|endoftext|>`, whose features the head reads; a text too
///   long for the row loses its beginning.
public struct FinetuneExamples: Sendable {
    /// Tokens per row.
    public let sequence: Int
    /// Inputs, count × sequence.
    public private(set) var inputs: [Int32] = []
    /// Next-token targets (-1 = no loss), count × sequence; instruct only.
    public private(set) var targets: [Int32] = []
    /// Index within its row of the last real token (classify reads its features there).
    public private(set) var last: [Int] = []
    /// Class index per record (classify only).
    public private(set) var labels: [Int] = []
    /// Tokens with a loss per record (instruct: response tokens; classify: 1).
    public private(set) var targetCounts: [Int] = []
    /// Records whose prompt or text was shortened to fit.
    public private(set) var truncated = 0

    public var count: Int { last.count }

    /// Instruction records as rows.
    public init(instructions records: [InstructionRecord], tokenizer: BPETokenizer, sequence T: Int) {
        sequence = T
        let eot = tokenizer.endOfText
        for r in records {
            var prompt = tokenizer.encode(InstructionTemplate.prompt(instruction: r.instruction, input: r.input))
            var response = tokenizer.encode(r.output) + [eot]
            if prompt.count + response.count > T + 1 {
                truncated += 1
                if response.count > T { response = Array(response.prefix(T)) }
                prompt = Array(prompt.suffix(T + 1 - response.count))
            }
            let all = prompt + response
            var row = [Int32](repeating: eot, count: T), target = [Int32](repeating: -1, count: T)
            for i in 0..<(all.count - 1) {
                row[i] = all[i]
                if i + 1 >= prompt.count { target[i] = all[i + 1] }
            }
            inputs += row
            targets += target
            last.append(all.count - 2)
            labels.append(-1)
            targetCounts.append(response.count)
        }
    }

    /// Classification records as rows; `labels` gives the class order. A label not in it is an
    /// error naming `path` and the record's line.
    public init(classifications records: [ClassificationRecord], labels names: [String], path: String,
                tokenizer: BPETokenizer, sequence T: Int) throws {
        sequence = T
        let eot = tokenizer.endOfText
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        for r in records {
            guard let label = index[r.label] else {
                throw TrainingError("\(path):\(r.line): label \"\(r.label)\" is not one of the training labels (\(names.joined(separator: ", ")))")
            }
            var tokens = tokenizer.encode(r.text) + [eot]
            if tokens.count > T {
                truncated += 1
                tokens = Array(tokens.suffix(T))
            }
            var row = [Int32](repeating: eot, count: T)
            for (i, t) in tokens.enumerated() { row[i] = t }
            inputs += row
            last.append(tokens.count - 1)
            labels.append(label)
            targetCounts.append(1)
        }
    }
}
