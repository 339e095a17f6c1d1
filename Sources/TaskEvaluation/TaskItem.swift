/// One item of a task file: a context and either choices with the right one, or a target to generate.
public struct TaskItem: Sendable {
    /// What the model is asked about, and what counts as right.
    public enum Kind: Sendable, Equatable {
        /// Score each choice after the context; `label` indexes the right one.
        case multipleChoice(choices: [String], label: Int)
        /// Generate after the context until a stop string; compare with `target`.
        case generation(target: String, stops: [String])
    }

    /// The text before the answer (lm-eval's doc_to_text).
    public let context: String
    /// Choices or target.
    public let kind: Kind
    /// The 1-based line of the task file it came from, for messages.
    public let line: Int

    /// Creates an item; `line` only names it in messages.
    public init(context: String, kind: Kind, line: Int) {
        self.context = context
        self.kind = kind
        self.line = line
    }

    /// The text a few-shot example shows after the context: the right choice, or the target.
    public var answer: String {
        switch kind {
        case .multipleChoice(let choices, let label): choices[label]
        case .generation(let target, _): target
        }
    }

    /// The same document as lm-eval's `x != doc` sees it (everything but the line number).
    public func sameDocument(as other: TaskItem) -> Bool {
        context == other.context && kind == other.kind
    }
}

/// A problem with a task or few-shot file, naming the file and line and what to change.
public struct TaskFileError: Error, CustomStringConvertible, Sendable {
    /// The file's path.
    public let file: String
    /// The 1-based line, or nil for the file as a whole.
    public let line: Int?
    /// What is wrong and how to fix it.
    public let message: String

    /// Creates the error.
    public init(file: String, line: Int?, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
