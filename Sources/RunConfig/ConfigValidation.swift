import GPT

/// Checks that a decoded config describes a run that can start. How the batch splits (into
/// micro-batches here, over ranks once the world size is known) is `BatchPlan`'s rule alone.
public enum ConfigValidation {
    /// Throws the first problem found, naming the field and the fix.
    public static func check(_ c: TrainConfig) throws(ConfigError) {
        let m = c.model
        try positive(m.nLayer, "model.n_layer")
        try positive(m.nHead, "model.n_head")
        try positive(m.nEmbd, "model.n_embd")
        try positive(m.blockSize, "model.block_size")
        guard m.nEmbd % m.nHead == 0 else {
            throw ConfigError("model.n_embd", "\(m.nEmbd) is not divisible by model.n_head = \(m.nHead); choose n_embd a multiple of n_head (e.g. \(m.nHead * max(1, m.nEmbd / m.nHead)))")
        }
        guard (257...65536).contains(m.vocabSize) else {
            throw ConfigError("model.vocab_size", "\(m.vocabSize) is out of range; it must be 257...65536 (256 bytes, at least one merge and <|endoftext|>; uint16 token shards)")
        }
        try positive(c.training.microBatch, "training.micro_batch")
        // Before any product of sizes below: every buffer size the model derives from them fits in an Int.
        _ = try MemoryRequirement(config: c)
        try checkDataAndTraining(c)
        try checkRest(c)
    }

    /// The `data` and `training` sections (model sizes already checked).
    private static func checkDataAndTraining(_ c: TrainConfig) throws(ConfigError) {
        guard !c.data.dir.isEmpty else { throw ConfigError("data.dir", "is empty; name a folder for the tokenizer and shards") }
        guard c.data.valFraction > 0, c.data.valFraction < 1 else {
            throw ConfigError("data.val_fraction", "\(c.data.valFraction) must be above 0 and below 1, e.g. 0.1")
        }
        guard (1...65536).contains(c.data.tokenizerSampleMb) else {
            throw ConfigError("data.tokenizer_sample_mb", "\(c.data.tokenizerSampleMb) must be 1...65536 MiB, e.g. 64")
        }
        guard (1...4096).contains(c.data.prepareChunkMb) else {
            throw ConfigError("data.prepare_chunk_mb", "\(c.data.prepareChunkMb) must be 1...4096 MiB, e.g. 4")
        }
        let t = c.training
        try positive(t.batchTokens, "training.batch_tokens")
        try positive(t.maxSteps, "training.max_steps")
        try positive(t.logEvery, "training.log_every")
        guard t.warmupSteps >= 0 else { throw ConfigError("training.warmup_steps", "must be 0 or more") }
        guard t.lr > 0, t.lr.isFinite else { throw ConfigError("training.lr", "must be a positive number, e.g. 6e-4") }
        guard t.minLr >= 0, t.minLr <= t.lr else {
            throw ConfigError("training.min_lr", "\(t.minLr) must be between 0 and training.lr = \(t.lr)")
        }
        guard ["cosine", "linear", "constant", "wsd"].contains(t.schedule) else {
            throw ConfigError("training.schedule", "\"\(t.schedule)\" is not a schedule; use \"cosine\", \"linear\", \"constant\" or \"wsd\"")
        }
        try checkOptimizer(t)
        guard t.weightDecay >= 0 else { throw ConfigError("training.weight_decay", "must be 0 or more") }
        guard (0..<1).contains(t.beta1) else { throw ConfigError("training.beta1", "must be in [0, 1), e.g. 0.9") }
        guard (0..<1).contains(t.beta2) else { throw ConfigError("training.beta2", "must be in [0, 1), e.g. 0.95") }
        guard t.gradClip >= 0 else { throw ConfigError("training.grad_clip", "must be 0 (off) or a positive norm, e.g. 1.0") }
        guard t.seed >= 0 else { throw ConfigError("training.seed", "\(t.seed) must be 0 or more, e.g. 1337") }
        guard CheckedSize.product([t.maxSteps, t.batchTokens]) != nil else {
            throw ConfigError("training.max_steps", "\(t.maxSteps) steps of \(t.batchTokens) tokens is more tokens than a 64-bit count holds; use a realistic number of steps")
        }
        try BatchPlan.checkWholeMicroBatches(c)
        guard t.maxSkippedSteps >= 0 else { throw ConfigError("training.max_skipped_steps", "must be 0 or more") }
    }

    /// The `eval`, `checkpoint` and `distributed` sections.
    private static func checkRest(_ c: TrainConfig) throws(ConfigError) {
        let tokensPerSequenceBatch = c.training.microBatch * c.model.blockSize
        guard c.eval.every >= 0 else { throw ConfigError("eval.every", "must be 0 (off) or a step count") }
        try positive(c.eval.batches, "eval.batches")
        guard let tokensPerEval = CheckedSize.product([c.eval.batches, tokensPerSequenceBatch]), tokensPerEval <= 1 << 40 else {
            throw ConfigError("eval.batches", "\(c.eval.batches) batches of \(tokensPerSequenceBatch) tokens is more validation data than any run reads; use e.g. 20")
        }
        for (i, task) in c.eval.tasks.enumerated() { try check(task, field: "eval.tasks[\(i)]") }
        guard !c.checkpoint.dir.isEmpty else { throw ConfigError("checkpoint.dir", "is empty; name a folder for this run") }
        guard c.checkpoint.every >= 0 else { throw ConfigError("checkpoint.every", "must be 0 (only at the end) or a step count") }
        try positive(c.checkpoint.keep, "checkpoint.keep")
        guard c.checkpoint.saveTimeoutS >= 0, c.checkpoint.saveTimeoutS <= 1e9 else {
            throw ConfigError("checkpoint.save_timeout_s", "\(c.checkpoint.saveTimeoutS) must be 0 (automatic) or a number of seconds up to 1e9")
        }
        guard c.distributed.watchdogS >= 0, c.distributed.watchdogS <= 1e9 else {
            throw ConfigError("distributed.watchdog_s", "\(c.distributed.watchdogS) must be 0 (off) or a number of seconds up to 1e9, e.g. 300")
        }
        guard c.distributed.bucketMb > 0, c.distributed.bucketMb <= 1_048_576 else {
            throw ConfigError("distributed.bucket_mb", "\(c.distributed.bucketMb) must be a positive size in MiB up to 1048576, e.g. 8")
        }
        // ExactSum's limbs hold FloatFixedPoint.maxTerms = 2¹³ terms per element without overflow,
        // one per micro-batch of the step (over every rank).
        let microBatches = c.training.batchTokens / tokensPerSequenceBatch
        guard !c.distributed.exact || microBatches <= 8192 else {
            throw ConfigError("distributed.exact", "a step of \(microBatches) micro-batches is more than the 8192 an exact sum can add; raise training.micro_batch, lower training.batch_tokens, or set distributed.exact false")
        }
    }

    /// An `eval.tasks` entry; what its file holds is checked when the run prepares it.
    private static func check(_ task: EvalTask, field: String) throws(ConfigError) {
        guard !task.file.isEmpty else { throw ConfigError("\(field).file", "is empty; name a task file (JSONL), e.g. data/tasks/shakespeare_play.jsonl") }
        guard task.shots >= 0, task.shots <= 10_000 else { throw ConfigError("\(field).shots", "\(task.shots) must be between 0 and 10000") }
        guard ["random", "first_n"].contains(task.fewshotSampler) else {
            throw ConfigError("\(field).fewshot_sampler", "\"\(task.fewshotSampler)\" is not a sampler; use \"random\" or \"first_n\"")
        }
    }

    private static func positive(_ value: Int, _ field: String) throws(ConfigError) {
        guard value > 0 else { throw ConfigError(field, "\(value) must be a positive whole number") }
    }
}
