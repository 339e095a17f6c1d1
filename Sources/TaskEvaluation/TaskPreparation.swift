/// Which task to score and how: the task file, its few-shot source, K and the sampler.
public struct TaskSpec: Sendable, Equatable {
    /// The task file.
    public var path: String
    /// Where examples come from; nil means the task file itself (never the item being scored).
    public var fewshotPath: String?
    /// K, examples per item.
    public var shots: Int
    /// Random (seed 1234) or the first K.
    public var sampling: FewShotSampling

    /// Creates a spec.
    public init(path: String, fewshotPath: String? = nil, shots: Int = 0, sampling: FewShotSampling = .random) {
        self.path = path
        self.fewshotPath = fewshotPath
        self.shots = shots
        self.sampling = sampling
    }
}

/// A task read, checked and encoded: every item's context and token requests, before any scoring.
public struct PreparedTask: Sendable {
    /// The spec it was built from.
    public let spec: TaskSpec
    /// The task file.
    public let file: TaskFile
    /// Each item's rendered context (examples included).
    public let contexts: [String]
    /// Each item's requests: one per choice, or the target's for generation.
    public let requests: [[ScoringRequest]]
    /// For generation: each item's context tokens, left-truncated to block_size − max tokens.
    public let generationContexts: [[Int32]]
    /// Most tokens a generation item may produce.
    public let maxGenerationTokens: Int

    /// Reads `spec`'s files and encodes every item, throwing the first problem (file and line)
    /// before anything is scored: bad lines, a few-shot pool too small for K, items that cannot fit.
    public init(spec: TaskSpec, encoder: RequestEncoder, maxGenerationTokens: Int = 16) throws(TaskFileError) {
        let file = try TaskFile(path: spec.path)
        let pool = try spec.fewshotPath.map { path throws(TaskFileError) in try TaskFile(path: path) } ?? file
        let poolIsTaskFile = spec.fewshotPath == nil
        guard spec.shots >= 0 else { throw TaskFileError(file: spec.path, line: nil, "--shots must be 0 or more, not \(spec.shots)") }
        let needed = FewShotSampler.poolNeeded(shots: spec.shots, poolIsTaskFile: poolIsTaskFile, sampling: spec.sampling)
        guard pool.items.count >= needed else {
            let why = poolIsTaskFile && spec.sampling == .random ? " (K + 1: lm-eval draws one more and drops the item being scored)" : ""
            throw TaskFileError(file: pool.path, line: nil, "has \(pool.items.count) items but \(spec.shots)-shot needs \(needed)\(why); lower --shots or give a longer --fewshot-file")
        }
        self.spec = spec
        self.file = file
        self.maxGenerationTokens = maxGenerationTokens
        var sampler = FewShotSampler(pool: pool.items, poolIsTaskFile: poolIsTaskFile, sampling: spec.sampling)
        let format = PromptFormat()
        var contexts: [String] = [], requests: [[ScoringRequest]] = [], generation: [[Int32]] = []
        for item in file.items {
            let examples = sampler.examples(for: item, shots: spec.shots).map { pool.items[$0] }
            guard examples.count == spec.shots else {
                throw TaskFileError(file: pool.path, line: nil, "has only \(examples.count) examples other than line \(item.line) of \(spec.path) (duplicates of it are left out), \(spec.shots) needed; lower --shots")
            }
            let context = format.context(of: item, examples: examples)
            contexts.append(context)
            let continuations: [String]
            switch item.kind {
            case .multipleChoice(let choices, _): continuations = choices
            case .generation(let target, _):
                continuations = [target]
                let limit = encoder.blockSize - maxGenerationTokens
                let tokens = encoder.tokenizer.encode(context)
                guard limit > 0, !tokens.isEmpty else {
                    throw TaskFileError(file: spec.path, line: item.line, limit > 0 ? "the context encodes to no tokens; give a non-empty context" : "block_size \(encoder.blockSize) leaves no room for a context before \(maxGenerationTokens) generated tokens; lower --max-tokens")
                }
                generation.append(Array(tokens.suffix(limit)))
            }
            requests.append(try continuations.enumerated().map { (index, text) throws(TaskFileError) in
                try PreparedTask.request(encoder, context, format.targetDelimiter + text, spec.path, item.line, index)
            })
        }
        self.contexts = contexts
        self.requests = requests
        generationContexts = generation
    }

    private static func request(_ encoder: RequestEncoder, _ context: String, _ continuation: String,
                                _ path: String, _ line: Int, _ index: Int) throws(TaskFileError) -> ScoringRequest {
        switch encoder.request(context: context, continuation: continuation) {
        case .success(let request): return request
        case .failure(.emptyContext):
            throw TaskFileError(file: path, line: line, "the context is only whitespace; give it some text")
        case .failure(.emptyContinuation):
            throw TaskFileError(file: path, line: line, "answer \(index) encodes to no tokens; give it some text")
        case .failure(.continuationTooLong(let tokens, let block)):
            throw TaskFileError(file: path, line: line, "answer \(index) is \(tokens) tokens, longer than the model's block of \(block) even with the context cut away; shorten it or use a model with a longer block")
        }
    }
}
