/// One entry of `eval.tasks`: a task file scored at every evaluation as `trainer evaluate FILE
/// --shots K --fewshot-sampler S [--fewshot-file F]` scores it.
public struct EvalTask: Codable, Sendable, Equatable {
    /// The task file (JSONL: multiple choice or generation, README "Task evaluation").
    public var file: String
    /// Few-shot examples per item (K).
    public var shots = 0
    /// "random" (lm-eval's default, seed 1234) or "first_n".
    public var fewshotSampler = "random"
    /// Where examples come from; empty: the task file itself, never the item being scored.
    public var fewshotFile = ""

    /// A task entry with lm-eval's defaults.
    public init(file: String, shots: Int = 0, fewshotSampler: String = "random", fewshotFile: String = "") {
        self.file = file
        self.shots = shots
        self.fewshotSampler = fewshotSampler
        self.fewshotFile = fewshotFile
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case file, shots, fewshotSampler = "fewshot_sampler", fewshotFile = "fewshot_file"
    }

    /// Decodes an entry: `file` required, the rest defaulted; an unknown key is an error that
    /// names the known ones (the config loader checks keys only where its defaults have them).
    public init(from decoder: Decoder) throws {
        let keys = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        let known = CodingKeys.allCases.map(\.rawValue)
        if let unknown = keys.first(where: { !known.contains($0) }) {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "unknown key `\(unknown)` in a task; known keys are \(known.joined(separator: ", "))"))
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = EvalTask(file: "")
        self.init(file: try c.decode(String.self, forKey: .file),
                  shots: try c.decodeIfPresent(Int.self, forKey: .shots) ?? d.shots,
                  fewshotSampler: try c.decodeIfPresent(String.self, forKey: .fewshotSampler) ?? d.fewshotSampler,
                  fewshotFile: try c.decodeIfPresent(String.self, forKey: .fewshotFile) ?? d.fewshotFile)
    }

    /// Any key, to list what an object holds.
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
