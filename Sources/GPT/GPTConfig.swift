/// The dimensions of a GPT-2 model: the `model` section of a run's config.
public struct GPTConfig: Codable, Sendable, Equatable, Hashable {
    /// Number of transformer blocks (L).
    public var nLayer: Int
    /// Attention heads per block (NH); must divide `nEmbd`.
    public var nHead: Int
    /// Width of the residual stream (C).
    public var nEmbd: Int
    /// Longest context the model can see (maximum T); sizes the position embedding.
    public var blockSize: Int
    /// Tokens in the vocabulary (V); at most 65536 so that tokens fit llm.c's uint16 shards.
    public var vocabSize: Int

    public init(nLayer: Int, nHead: Int, nEmbd: Int, blockSize: Int, vocabSize: Int) {
        self.nLayer = nLayer
        self.nHead = nHead
        self.nEmbd = nEmbd
        self.blockSize = blockSize
        self.vocabSize = vocabSize
    }

    enum CodingKeys: String, CodingKey {
        case nLayer = "n_layer", nHead = "n_head", nEmbd = "n_embd", blockSize = "block_size", vocabSize = "vocab_size"
    }

    /// Width of one attention head (HS = C / NH).
    public var headSize: Int { nEmbd / nHead }
}
