import Foundation

/// The one way the trainer writes to stderr: warnings and errors as `warning: …` / `error: …`
/// lines, prefixed `[rank R] ` once MPI has started (so a job's lines say which rank spoke) and
/// bare before it, each written whole so that lines of several ranks do not interleave mid-line.
public enum Log {
    /// Writes `warning: message` for this process.
    public static func warning(_ message: String, rank: Int? = nil) {
        write(line("warning", message, rank: rank))
    }

    /// Writes `error: message` for this process.
    public static func error(_ message: String, rank: Int? = nil) {
        write(line("error", message, rank: rank))
    }

    /// Writes `message` to stderr as it is (one line, newline added).
    public static func plain(_ message: String) {
        write(message)
    }

    /// "warning: …" (no rank: before MPI starts), or "[rank 3] warning: …".
    public static func line(_ kind: String, _ message: String, rank: Int? = nil) -> String {
        let who = rank.map { "[rank \($0)] " } ?? ""
        return "\(who)\(kind): \(message)"
    }

    private static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
