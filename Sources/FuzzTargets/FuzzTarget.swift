import Foundation

/// A parser of input from outside the program, driven with arbitrary bytes: by libFuzzer through
/// Tests/Fuzz (launch/fuzz.sh) and by the test suite, which replays the seeds and every input that
/// once crashed (Tests/Fuzz/Regressions). Both go through `run`, so they exercise the same calls.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A .safetensors file: header length, JSON header, tensor byte ranges.
    case safetensors
    /// An llm.c token shard: 1024-byte header and 16-bit tokens.
    case shard
    /// A run's JSON config, then NUL-separated `--set` overrides.
    case config
    /// vocab.json, a NUL byte, then merges.txt.
    case tokenizer
    /// A checkpoint's state.json.
    case state
    /// A fine-tuning JSONL file, read both as instruction and as classification records.
    case finetune

    /// Feeds `input` to the parser. Files the parser reads are written under `scratch`, an existing
    /// directory that no one else writes to while this runs.
    public func run(_ input: Data, scratch: URL) -> FuzzOutcome {
        switch self {
        case .safetensors: CheckpointFuzzing.safetensors(input, scratch: scratch)
        case .shard: DataFuzzing.shard(input, scratch: scratch)
        case .config: ConfigFuzzing.config(input)
        case .tokenizer: DataFuzzing.tokenizer(input, scratch: scratch)
        case .state: CheckpointFuzzing.state(input)
        case .finetune: DataFuzzing.finetune(input, scratch: scratch)
        }
    }
}

/// What a parser made of one input.
public enum FuzzOutcome: Sendable, Equatable, CustomStringConvertible {
    /// The input was accepted and the value passed every consistency check; a short summary of it.
    case accepted(String)
    /// The parser refused the input with its own error type; the error's message.
    case rejected(String)
    /// A bug: a consistency check failed, or an error of an unexpected type escaped.
    case broken(String)

    /// False only for `.broken`: a valid value or a typed error are both correct outcomes.
    public var isCorrect: Bool {
        if case .broken = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .accepted(let s): "accepted: \(s)"
        case .rejected(let s): "rejected: \(s)"
        case .broken(let s): "BROKEN: \(s)"
        }
    }
}

/// Collects failed consistency checks of an accepted value.
struct Checks {
    private(set) var failures: [String] = []

    /// Records `message` unless `condition` holds.
    mutating func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { failures.append(message()) }
    }

    /// `.accepted(summary)` when every check held, else `.broken` listing the failures.
    func outcome(_ summary: String) -> FuzzOutcome {
        failures.isEmpty ? .accepted(summary) : .broken(failures.joined(separator: "; "))
    }
}

extension Data {
    /// The bytes before the first NUL, and the NUL-separated parts after it (none without a NUL).
    func splitAtNUL() -> (head: Data, parts: [Data]) {
        let pieces = split(separator: 0, omittingEmptySubsequences: false).map { Data($0) }
        return (pieces.first ?? Data(), Array(pieces.dropFirst()))
    }

    /// Writes the bytes to `url`; a scratch directory that cannot be written is the harness's
    /// problem, not the parser's, so it stops the process.
    func writeScratch(to url: URL) {
        do { try write(to: url) } catch { fatalError("cannot write the fuzz scratch file \(url.path): \(error)") }
    }
}
