/// `distributed.overlap`: whether the gradient all-reduce runs during backward — true, false or
/// "auto" (the default).
///
/// "auto" overlaps only when the job spans machines. On one machine the blocking all-reduce is a
/// copy through shared memory that no link stalls, while Open MPI's nonblocking one does its
/// copies and sums inside the test calls backward makes, on the rank's own core: measured with
/// exact sums at 2 ranks on one 2-core AMD EPYC, overlap off ran gpt-small 2% and gpt2-124m 9%
/// faster, and held 72 MiB less at gpt-small (README.md, "Overlap"). Across machines the transfer
/// is what overlap hides. The choice never changes the bits with exact sums.
public enum OverlapSetting: Sendable, Equatable, Codable, CustomStringConvertible {
    case on, off, auto

    /// Whether backward overlaps the all-reduce for a job launched as `launch` says: "auto" does
    /// when this machine holds fewer than all of the job's ranks (every rank sees the same answer,
    /// since a machine holding every rank holds each one).
    public func overlaps(in launch: LaunchEnvironment) -> Bool {
        switch self {
        case .on: true
        case .off: false
        case .auto: launch.localSize < launch.worldSize
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = flag ? .on : .off
        } else if let text = try? container.decode(String.self), text == "auto" {
            self = .auto
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected true, false or \"auto\"")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .on: try container.encode(true)
        case .off: try container.encode(false)
        case .auto: try container.encode("auto")
        }
    }

    public var description: String {
        switch self {
        case .on: "true"
        case .off: "false"
        case .auto: "auto"
        }
    }
}
