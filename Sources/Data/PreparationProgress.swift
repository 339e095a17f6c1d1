import Foundation

/// How a preparation reports on rank 0: messages, and for the long encoding pass the bytes done,
/// MB/s and ETA, on one updating line on a terminal and as a plain line every few seconds otherwise.
public final class PreparationProgress: @unchecked Sendable {
    /// How throughput is shown.
    public enum Style: Sendable {
        /// Nothing at all.
        case silent
        /// A line every `linesEvery` seconds.
        case lines
        /// One line rewritten in place with a carriage return.
        case updatingLine
    }

    private let style: Style
    private let write: (String) -> Void
    private var started = 0.0
    private var lastShown = 0.0
    private var lineOpen = false
    /// Seconds between plain progress lines.
    static let linesEvery = 10.0

    /// Reports in `style` through `write`, which receives text to print as is (newlines included).
    public init(style: Style, write: @escaping (String) -> Void) {
        self.style = style
        self.write = write
    }

    /// Nothing reported.
    public static var silent: PreparationProgress { PreparationProgress(style: .silent) { _ in } }

    /// Standard output: an updating line when it is a terminal (and `updating` allows it), plain lines otherwise.
    public static func standardOutput(updating: Bool = true) -> PreparationProgress {
        PreparationProgress(style: updating && isatty(STDOUT_FILENO) != 0 ? .updatingLine : .lines) { text in
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// Each message and each throughput line handed to `sink` without its newline (for tests).
    public static func collecting(_ sink: @escaping (String) -> Void) -> PreparationProgress {
        PreparationProgress(style: .lines) { text in
            for line in text.split(separator: "\n") where !line.isEmpty { sink(String(line.drop { $0 == "\r" })) }
        }
    }

    /// A message on a line of its own.
    public func note(_ message: String) {
        guard style != .silent else { return }
        closeLine()
        write(message + "\n")
    }

    /// Starts timing a pass over `total` bytes.
    func begin() {
        started = monotonicNow()
        lastShown = started
    }

    /// `done` of `total` bytes are behind us; shown when enough time has passed (or `final`).
    func advance(done: Int, total: Int, final: Bool = false) {
        guard style != .silent else { return }
        let now = monotonicNow()
        let interval = style == .updatingLine ? 0.25 : PreparationProgress.linesEvery
        guard final || now - lastShown >= interval else { return }
        lastShown = now
        let elapsed = max(now - started, 1e-6)
        let rate = Double(done) / elapsed
        let eta = rate > 0 ? Double(max(0, total - done)) / rate : 0
        let text = String(format: "encoding: %.1f / %.1f MB (%.0f%%), %.1f MB/s, ETA ",
                          Double(done) / 1e6, Double(total) / 1e6, 100 * Double(done) / Double(max(1, total)), rate / 1e6)
            + PreparationProgress.duration(final ? 0 : eta)
        if style == .updatingLine {
            write("\r" + text + "   ")
            lineOpen = true
            if final { closeLine() }
        } else {
            write(text + "\n")
        }
    }

    /// "1 h 02 min", "3 min 05 s" or "12 s".
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%d h %02d min", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%d min %02d s", s / 60, s % 60) }
        return "\(s) s"
    }

    private func closeLine() {
        if lineOpen { write("\n") }
        lineOpen = false
    }

    private func monotonicNow() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
