/// How few-shot examples are chosen (lm-eval's `fewshot_config.sampler`).
public enum FewShotSampling: String, Sendable, CaseIterable {
    /// lm-eval's default sampler: `random.Random(seed).sample(docs, k)`, one generator for the whole task.
    case random
    /// The first k documents (without the item being scored).
    case firstN = "first_n"
}

/// Picks the k examples for every item as lm-eval's `ContextSampler` / `FirstNSampler` does.
///
/// The random sampler's generator runs through the items in file order, so the examples of item i
/// depend on every item before it; each rank replays the whole sequence (index arithmetic only)
/// and so gets the same examples for its items as one process would.
public struct FewShotSampler {
    /// The examples' pool (the few-shot file, or the task file itself).
    public let pool: [TaskItem]
    /// Whether the pool is the task file itself, in which case the item being scored is never its own example.
    public let poolIsTaskFile: Bool
    /// Random or first n.
    public let sampling: FewShotSampling
    private var random: PythonRandom

    /// Creates the sampler; `seed` is lm-eval's `fewshot_random_seed` (1234 by default).
    public init(pool: [TaskItem], poolIsTaskFile: Bool, sampling: FewShotSampling, seed: Int = 1234) {
        self.pool = pool
        self.poolIsTaskFile = poolIsTaskFile
        self.sampling = sampling
        random = PythonRandom(seed: seed)
    }

    /// The fewest pool documents that `shots` examples need (lm-eval samples k + 1 when it must drop the item).
    public static func poolNeeded(shots: Int, poolIsTaskFile: Bool, sampling: FewShotSampling) -> Int {
        guard shots > 0 else { return 0 }
        return poolIsTaskFile && sampling == .random ? shots + 1 : shots
    }

    /// The examples for `item`, the next item in file order; call once per item, in order.
    public mutating func examples(for item: TaskItem, shots: Int) -> [Int] {
        guard shots > 0 else { return [] }
        let exclude: TaskItem? = poolIsTaskFile ? item : nil
        switch sampling {
        case .firstN:
            let kept = pool.indices.filter { exclude == nil || !pool[$0].sameDocument(as: exclude!) }
            return Array(kept.prefix(shots))
        case .random:
            guard let exclude else { return random.sample(count: pool.count, shots) }
            var picked = random.sample(count: pool.count, shots + 1).filter { !pool[$0].sameDocument(as: exclude) }
            picked = Array(picked.prefix(shots))
            if picked.count < shots {
                // Duplicates of the item were drawn and removed: lm-eval samples again from the pool without them.
                let others = pool.indices.filter { !pool[$0].sameDocument(as: exclude) }
                picked = random.sample(count: others.count, shots).map { others[$0] }
            }
            return picked
        }
    }
}

/// lm-eval's delimiters: between a context and its answer, and between examples.
public struct PromptFormat: Sendable, Equatable {
    /// lm-eval's `target_delimiter`, " ".
    public var targetDelimiter = " "
    /// lm-eval's `fewshot_delimiter`, "\n\n".
    public var fewshotDelimiter = "\n\n"

    /// lm-eval's defaults.
    public init() {}

    /// The context lm-eval's `fewshot_context` renders: each example's context + " " + answer + "\n\n", then the item's context.
    public func context(of item: TaskItem, examples: [TaskItem]) -> String {
        var text = ""
        for example in examples {
            text += example.context + targetDelimiter + example.answer + fewshotDelimiter
        }
        return text + item.context
    }
}
