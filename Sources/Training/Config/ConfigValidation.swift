/// Checks that a decoded config describes a run that can start. Checks that need the world size
/// live in `BatchPlan`.
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
        try positive(t.microBatch, "training.micro_batch")
        try positive(t.maxSteps, "training.max_steps")
        try positive(t.logEvery, "training.log_every")
        guard t.warmupSteps >= 0 else { throw ConfigError("training.warmup_steps", "must be 0 or more") }
        guard t.lr > 0, t.lr.isFinite else { throw ConfigError("training.lr", "must be a positive number, e.g. 6e-4") }
        guard t.minLr >= 0, t.minLr <= t.lr else {
            throw ConfigError("training.min_lr", "\(t.minLr) must be between 0 and training.lr = \(t.lr)")
        }
        guard ["cosine", "linear", "constant"].contains(t.schedule) else {
            throw ConfigError("training.schedule", "\"\(t.schedule)\" is not a schedule; use \"cosine\", \"linear\" or \"constant\"")
        }
        guard t.weightDecay >= 0 else { throw ConfigError("training.weight_decay", "must be 0 or more") }
        guard (0..<1).contains(t.beta1) else { throw ConfigError("training.beta1", "must be in [0, 1), e.g. 0.9") }
        guard (0..<1).contains(t.beta2) else { throw ConfigError("training.beta2", "must be in [0, 1), e.g. 0.95") }
        guard t.gradClip >= 0 else { throw ConfigError("training.grad_clip", "must be 0 (off) or a positive norm, e.g. 1.0") }
        let tokensPerSequenceBatch = t.microBatch * m.blockSize
        guard t.batchTokens % tokensPerSequenceBatch == 0 else {
            throw ConfigError("training.batch_tokens", "\(t.batchTokens) is not a multiple of micro_batch × block_size = \(tokensPerSequenceBatch); use e.g. \(tokensPerSequenceBatch * max(1, t.batchTokens / tokensPerSequenceBatch))")
        }
        guard c.eval.every >= 0 else { throw ConfigError("eval.every", "must be 0 (off) or a step count") }
        try positive(c.eval.batches, "eval.batches")
        guard !c.checkpoint.dir.isEmpty else { throw ConfigError("checkpoint.dir", "is empty; name a folder for this run") }
        guard c.checkpoint.every >= 0 else { throw ConfigError("checkpoint.every", "must be 0 (only at the end) or a step count") }
        try positive(c.checkpoint.keep, "checkpoint.keep")
        guard c.checkpoint.saveTimeoutS >= 0 else { throw ConfigError("checkpoint.save_timeout_s", "must be 0 (automatic) or a number of seconds") }
        guard t.maxSkippedSteps >= 0 else { throw ConfigError("training.max_skipped_steps", "must be 0 or more") }
        guard c.distributed.watchdogS >= 0 else { throw ConfigError("distributed.watchdog_s", "must be 0 (off) or a number of seconds, e.g. 300") }
        guard c.distributed.bucketMb > 0 else { throw ConfigError("distributed.bucket_mb", "must be a positive size in MiB, e.g. 8") }
    }

    private static func positive(_ value: Int, _ field: String) throws(ConfigError) {
        guard value > 0 else { throw ConfigError(field, "\(value) must be a positive whole number") }
    }
}
