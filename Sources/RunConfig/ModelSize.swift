import GPT

/// Sizes of a model shape that reports and the scaling-law sweep count with.
public enum ModelSize {
    /// Parameters without the token and position embeddings (Kaplan et al.'s N): the total minus
    /// (vocab_size + block_size) × n_embd.
    public static func nonEmbeddingParameters(_ config: GPTConfig) -> Int {
        ParameterLayout(config: config).totalCount - (config.vocabSize + config.blockSize) * config.nEmbd
    }

    /// Training FLOPs per token at full context: 6 × (parameters but wpe) + 12 × layers × width
    /// × context (`GPTModel.flopsPerToken`, nanoGPT's estimate).
    public static func flopsPerToken(_ config: GPTConfig) -> Double {
        GPTModel.flopsPerToken(config: config, sequence: config.blockSize)
    }
}
