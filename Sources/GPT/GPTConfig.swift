/// The dimensions and family of a model: the `model` section of a run's config.
///
/// Keys missing from the JSON take the defaults below, so a GPT-2 config from before the Llama
/// family (five keys) decodes to the same model; encoding writes every key.
public struct GPTConfig: Codable, Sendable, Equatable, Hashable {
    /// Number of transformer blocks (L).
    public var nLayer: Int
    /// Attention heads per block (NH); must divide `nEmbd`.
    public var nHead: Int
    /// Width of the residual stream (C).
    public var nEmbd: Int
    /// Longest context the model can see (maximum T); sizes the position embedding (GPT-2) or the
    /// rotary tables (Llama).
    public var blockSize: Int
    /// Tokens in the vocabulary (V); at most 65536 so that tokens fit llm.c's uint16 shards.
    public var vocabSize: Int
    /// The block design: GPT-2 (LayerNorm, learned positions, GELU MLP, biases) or Llama
    /// (RMSNorm, rotary positions, SwiGLU MLP, no biases).
    public var family: ModelFamily
    /// Llama only: width of the SwiGLU MLP (I); 0 means `defaultIntermediateSize` (see there).
    public var intermediateSize: Int
    /// Whether the output head is the token embedding (GPT-2 always; Llama by default, as the
    /// small Llama 3.2 and Qwen3 models do) or a tensor of its own, `lm_head.weight`.
    public var tiedHead: Bool
    /// Llama only: RMSNorm on each head of q and k before the rotary embedding (Qwen3's
    /// `q_norm`/`k_norm`); exported as model_type qwen3.
    public var qkNorm: Bool
    /// Llama only: the rotary base θ (inverse frequencies θ^(-2i/HS)); transformers' default.
    public var ropeTheta: Double
    /// Llama only: the ε inside every RMSNorm; 1e-6 is transformers' `rms_norm_eps` default for
    /// LlamaConfig and Qwen3Config (GPT-2's LayerNorm keeps its fixed 1e-5).
    public var normEps: Double

    /// A model of `family` with the given sizes; the Llama settings default as documented above.
    public init(nLayer: Int, nHead: Int, nEmbd: Int, blockSize: Int, vocabSize: Int,
                family: ModelFamily = .gpt2, intermediateSize: Int = 0, tiedHead: Bool = true,
                qkNorm: Bool = false, ropeTheta: Double = 10_000, normEps: Double = 1e-6) {
        self.nLayer = nLayer
        self.nHead = nHead
        self.nEmbd = nEmbd
        self.blockSize = blockSize
        self.vocabSize = vocabSize
        self.family = family
        self.intermediateSize = intermediateSize
        self.tiedHead = tiedHead
        self.qkNorm = qkNorm
        self.ropeTheta = ropeTheta
        self.normEps = normEps
    }

    enum CodingKeys: String, CodingKey {
        case nLayer = "n_layer", nHead = "n_head", nEmbd = "n_embd", blockSize = "block_size", vocabSize = "vocab_size"
        case family, intermediateSize = "intermediate_size", tiedHead = "tied_head", qkNorm = "qk_norm"
        case ropeTheta = "rope_theta", normEps = "norm_eps"
    }

    /// Decodes the five sizes (required) and the family settings (defaults where missing).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = GPTConfig(nLayer: 0, nHead: 0, nEmbd: 0, blockSize: 0, vocabSize: 0)
        self.init(
            nLayer: try c.decode(Int.self, forKey: .nLayer), nHead: try c.decode(Int.self, forKey: .nHead),
            nEmbd: try c.decode(Int.self, forKey: .nEmbd), blockSize: try c.decode(Int.self, forKey: .blockSize),
            vocabSize: try c.decode(Int.self, forKey: .vocabSize),
            family: try c.decodeIfPresent(ModelFamily.self, forKey: .family) ?? d.family,
            intermediateSize: try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? d.intermediateSize,
            tiedHead: try c.decodeIfPresent(Bool.self, forKey: .tiedHead) ?? d.tiedHead,
            qkNorm: try c.decodeIfPresent(Bool.self, forKey: .qkNorm) ?? d.qkNorm,
            ropeTheta: try c.decodeIfPresent(Double.self, forKey: .ropeTheta) ?? d.ropeTheta,
            normEps: try c.decodeIfPresent(Double.self, forKey: .normEps) ?? d.normEps)
    }

    /// Width of one attention head (HS = C / NH).
    public var headSize: Int { nEmbd / nHead }

    /// The SwiGLU width used: `intermediateSize`, or when it is 0 the default, 8C/3 rounded up
    /// to a multiple of 64. 8C/3 gives the three SwiGLU matrices GPT-2's 8C² MLP parameters
    /// (Llama's rule, with its `multiple_of` 256 lowered to 64 for our small widths, still
    /// whole AVX2 and sgemm panels): C = 384 gives 1024, C = 768 gives 2048.
    public var resolvedIntermediateSize: Int {
        intermediateSize > 0 ? intermediateSize : Self.defaultIntermediateSize(width: nEmbd)
    }

    /// The SwiGLU width, or nil when it is negative or the default's arithmetic would overflow.
    var checkedIntermediateSize: Int? {
        if intermediateSize > 0 { return intermediateSize }
        guard intermediateSize == 0, nEmbd > 0, nEmbd <= Int.max / 64 else { return nil }
        return resolvedIntermediateSize
    }

    /// 8·C/3 rounded up to a multiple of 64 (at least 64): ⌈C/24⌉·64, since 8C/3/64 = C/24.
    public static func defaultIntermediateSize(width C: Int) -> Int {
        max(1, C / 24 + (C % 24 == 0 ? 0 : 1)) * 64
    }
}

/// The block design of a model: JSON `"gpt2"` or `"llama"`.
public enum ModelFamily: String, ConfigChoice, Sendable {
    public static let noun = "model family"
    /// GPT-2: LayerNorm, learned position embedding, GELU MLP, biases, head tied to wte.
    case gpt2
    /// Llama / Qwen3: RMSNorm, rotary positions, SwiGLU MLP, no biases, head tied or not.
    case llama
}

/// An enum that configs spell by its raw value; decoding any other word is an error that names
/// the choices (the model family, the fine-tuning task).
public protocol ConfigChoice: RawRepresentable, CaseIterable, Codable where RawValue == String {
    /// What a value is called in messages, e.g. "model family".
    static var noun: String { get }
}

extension ConfigChoice {
    /// Decodes one of the choices by name.
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: name) else {
            let choices = Self.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "unknown \(Self.noun) \"\(name)\"; choose one of \(choices)"))
        }
        self = value
    }
}
