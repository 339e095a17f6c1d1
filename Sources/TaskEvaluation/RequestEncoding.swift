import Data

/// One log-likelihood request as lm-eval's Hugging Face backend feeds it: the window of context and
/// continuation tokens (at most block_size + 1, cut from the left), of which the last
/// `continuationCount` are scored; the model sees all but the last (`[:-1]`).
public struct ScoringRequest: Sendable, Equatable {
    /// Context then continuation tokens, left-truncated to block_size + 1.
    public let window: [Int32]
    /// How many of the window's last tokens are the continuation.
    public let continuationCount: Int

    /// Creates a request; `continuationCount` must be less than the window's length.
    public init(window: [Int32], continuationCount: Int) {
        self.window = window
        self.continuationCount = continuationCount
    }
}

/// Why a request cannot be scored at all.
public enum RequestProblem: Error, Equatable {
    /// The continuation encodes to no tokens.
    case emptyContinuation
    /// The context is only whitespace, which moves to the continuation and leaves nothing to condition on.
    case emptyContext
    /// The continuation alone is longer than the block, so no truncation of the context makes it fit.
    case continuationTooLong(tokens: Int, block: Int)
}

/// lm-eval's tokenization of (context, continuation) pairs (`TemplateLM._encode_pair`, `loglikelihood`).
public struct RequestEncoder {
    /// The checkpoint's tokenizer.
    public let tokenizer: BPETokenizer
    /// The model's block size (lm-eval's max_length).
    public let blockSize: Int

    /// Creates the encoder.
    public init(tokenizer: BPETokenizer, blockSize: Int) {
        self.tokenizer = tokenizer
        self.blockSize = blockSize
    }

    /// Context and continuation tokens: the trailing whitespace of the context moves to the
    /// continuation, the whole string is encoded and split at the context's own token count; an
    /// empty context becomes `<|endoftext|>` (GPT-2's prefix token).
    public func encodePair(context: String, continuation: String) -> (context: [Int32], continuation: [Int32]) {
        if context.isEmpty {
            let cont = tokenizer.encode(continuation)
            if let first = cont.first, first == tokenizer.endOfText { return ([first], Array(cont.dropFirst())) }
            return ([tokenizer.endOfText], cont)
        }
        let scalars = Array(context.unicodeScalars)
        var keep = scalars.count
        while keep > 0 && RequestEncoder.isPythonSpace(scalars[keep - 1]) { keep -= 1 }
        var head = String.UnicodeScalarView(), tail = String.UnicodeScalarView()
        head.append(contentsOf: scalars[..<keep])
        tail.append(contentsOf: scalars[keep...])
        let ctx = String(head), cont = String(tail) + continuation
        let whole = tokenizer.encode(ctx + cont)
        let contextTokens = tokenizer.encode(ctx)
        return (contextTokens, Array(whole.dropFirst(contextTokens.count)))
    }

    /// The request for `continuation` after `context`, or why it cannot be scored.
    public func request(context: String, continuation: String) -> Result<ScoringRequest, RequestProblem> {
        let (ctx, cont) = encodePair(context: context, continuation: continuation)
        guard !ctx.isEmpty else { return .failure(.emptyContext) }
        guard !cont.isEmpty else { return .failure(.emptyContinuation) }
        guard cont.count <= blockSize else { return .failure(.continuationTooLong(tokens: cont.count, block: blockSize)) }
        return .success(ScoringRequest(window: Array((ctx + cont).suffix(blockSize + 1)), continuationCount: cont.count))
    }

    /// What Python's `str.rstrip()` removes: Unicode White_Space plus the separators U+001C...U+001F.
    static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
    }
}
