import Foundation

/// A task file read and checked: one JSON object per line, every line the same kind of item.
///
/// Multiple choice: `{"context", "choices", "label"}`, or llm.c's HellaSwag `{"ctx", "endings",
/// "label"}`. Generation: `{"context", "target"}` with an optional `"until"` list of stop strings.
public struct TaskFile: Sendable {
    /// The path as given.
    public let path: String
    /// The task's name: the file name without `.jsonl`.
    public let name: String
    /// The items in file order.
    public let items: [TaskItem]

    /// Reads and validates `path`; throws the first problem found, naming its line.
    public init(path: String) throws(TaskFileError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TaskFileError(file: path, line: nil, "cannot read the file; check the path and its permissions")
        }
        try self.init(path: path, bytes: data)
    }

    /// Validates the bytes of a task file that `path` names in messages.
    public init(path: String, bytes: Data) throws(TaskFileError) {
        self.path = path
        let base = (path as NSString).lastPathComponent
        name = base.hasSuffix(".jsonl") ? String(base.dropLast(6)) : base
        var items: [TaskItem] = []
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let item = try TaskFile.parse(Data(line), file: path, line: index + 1)
            if let first = items.first, TaskFile.isGeneration(first) != TaskFile.isGeneration(item) {
                throw TaskFileError(file: path, line: index + 1, "mixes generation and multiple-choice items (line \(first.line) is the other kind); put each kind in its own file")
            }
            items.append(item)
        }
        guard !items.isEmpty else {
            throw TaskFileError(file: path, line: nil, "holds no items; a task file needs one JSON object per line")
        }
        self.items = items
    }

    /// A JSON integer (1 or 1.0), but not true/false, which Foundation also hands out as numbers.
    private static func integer(_ value: Any) -> Int? {
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
        return Int(exactly: number.doubleValue)
    }

    private static func isGeneration(_ item: TaskItem) -> Bool {
        if case .generation = item.kind { return true }
        return false
    }

    private static func parse(_ line: Data, file: String, line number: Int) throws(TaskFileError) -> TaskItem {
        func fail(_ message: String) -> TaskFileError { TaskFileError(file: file, line: number, message) }
        guard let object = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any] else {
            throw fail("is not one JSON object; write one {\"context\": ..., \"choices\": [...], \"label\": i} per line")
        }
        guard let context = (object["context"] ?? object["ctx"]) as? String else {
            throw fail("has no string \"context\" (or llm.c's \"ctx\")")
        }
        if let target = object["target"] {
            guard let target = target as? String else { throw fail("\"target\" must be a string") }
            let until = object["until"] ?? []
            guard let stops = until as? [String], stops.allSatisfy({ !$0.isEmpty }) else {
                throw fail("\"until\" must be a list of non-empty stop strings")
            }
            return TaskItem(context: context, kind: .generation(target: target, stops: stops), line: number)
        }
        guard let choices = (object["choices"] ?? object["endings"]) as? [String], !choices.isEmpty else {
            throw fail("has no \"choices\" (or llm.c's \"endings\"): a non-empty list of strings; or give a \"target\" for generation")
        }
        guard let label = object["label"].flatMap(TaskFile.integer) else {
            throw fail("has no integer \"label\" (the index of the right choice)")
        }
        guard label >= 0 && label < choices.count else {
            throw fail("label \(label) is out of range for \(choices.count) choices (0...\(choices.count - 1))")
        }
        return TaskItem(context: context, kind: .multipleChoice(choices: choices, label: label), line: number)
    }
}
