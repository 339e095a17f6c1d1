import Foundation

/// One instruction-tuning example: `{"instruction": …, "input": … (optional), "output": …}`.
public struct InstructionRecord: Sendable, Equatable {
    public var instruction: String
    public var input: String
    public var output: String
    public init(instruction: String, input: String = "", output: String) {
        self.instruction = instruction
        self.input = input
        self.output = output
    }
}

/// One classification example: `{"text": …, "label": …}`.
public struct ClassificationRecord: Sendable, Equatable {
    public var text: String
    public var label: String
    /// The 1-based line of the JSONL file it came from, for messages.
    public var line: Int
    public init(text: String, label: String, line: Int = 0) {
        self.text = text
        self.label = label
        self.line = line
    }
}

/// The prompt template of instruction fine-tuning (Alpaca's, without its preamble):
///
///     ### Instruction:
///     {instruction}
///
///     ### Input:            (these two lines only when the input is not empty)
///     {input}
///
///     ### Response:
///     {output}<|endoftext|>
///
/// Only the output and the closing `<|endoftext|>` are trained on.
public enum InstructionTemplate {
    /// The prompt that precedes the response, ending in "### Response:\n".
    public static func prompt(instruction: String, input: String = "") -> String {
        var text = "### Instruction:\n\(instruction)\n\n"
        if !input.isEmpty { text += "### Input:\n\(input)\n\n" }
        return text + "### Response:\n"
    }
}

/// Reads fine-tuning data from JSONL files (one JSON object per line; blank lines are skipped).
/// Every problem is one message naming the file and the 1-based line.
public enum FinetuneRecords {
    /// Instruction records from `path`.
    public static func instructions(path: String) throws(DataError) -> [InstructionRecord] {
        try objects(path: path).map { (line, object) throws(DataError) in
            InstructionRecord(instruction: try string(object, "instruction", path, line),
                              input: try string(object, "input", path, line, optional: true),
                              output: try string(object, "output", path, line))
        }
    }

    /// Classification records from `path`.
    public static func classifications(path: String) throws(DataError) -> [ClassificationRecord] {
        try objects(path: path).map { (line, object) throws(DataError) in
            ClassificationRecord(text: try string(object, "text", path, line), label: try string(object, "label", path, line), line: line)
        }
    }

    /// Each non-blank line's JSON object with its 1-based line number.
    static func objects(path: String) throws(DataError) -> [(Int, [String: Any])] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError("\(path): cannot read the file; check finetune.train_file / finetune.val_file")
        }
        var out: [(Int, [String: Any])] = []
        var number = 0
        for raw in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            let line = raw.last == UInt8(ascii: "\r") ? raw.dropLast() : raw
            if line.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(line)) else {
                throw DataError("\(path):\(number): not valid JSON; each line must be one JSON object")
            }
            guard let object = parsed as? [String: Any] else {
                throw DataError("\(path):\(number): expected a JSON object such as {\"text\": ..., \"label\": ...}")
            }
            out.append((number, object))
        }
        guard !out.isEmpty else { throw DataError("\(path): the file is empty; it needs one JSON object per line") }
        return out
    }

    private static func string(_ object: [String: Any], _ key: String, _ path: String, _ line: Int, optional: Bool = false) throws(DataError) -> String {
        guard let value = object[key], !(value is NSNull) else {
            if optional { return "" }
            throw DataError("\(path):\(line): missing field \"\(key)\"")
        }
        guard let text = value as? String else {
            throw DataError("\(path):\(line): field \"\(key)\" must be a string")
        }
        if !optional && text.isEmpty { throw DataError("\(path):\(line): field \"\(key)\" is empty") }
        return text
    }
}
