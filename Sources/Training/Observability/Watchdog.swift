import Foundation
import RunConfig

/// Ends a job whose ranks stop making progress, naming the ranks that did not arrive.
///
/// The main thread announces each operation (`enter`) and writes `<dir>/rank-N` itself whenever
/// the step changes, so that a rank that stops (killed, SIGSTOPped) leaves its true step there; a
/// background thread rewrites it every second and checks how long the operation has lasted. A rank
/// waiting in a collective for more than `limit` seconds reads every rank's file, prints which
/// ranks are elsewhere (or silent: dead) and exits, which makes mpirun end the job. A rank stuck
/// in its own work gives the waiting ranks time to report first (twice the limit). An operation
/// may carry a limit of its own (a checkpoint save, whose time grows with the model).
public final class Watchdog: @unchecked Sendable {
    /// What a rank is doing.
    public struct Activity: Sendable {
        public var operation: String
        public var step: Int
        public var collective: Bool
        /// This operation's own limit and where it comes from (said in the report), or nil for the default.
        public var limit: (seconds: Double, setting: String)? = nil

        /// `operation` at `step`, a wait for other ranks when `collective`.
        public init(operation: String, step: Int, collective: Bool, limit: (seconds: Double, setting: String)? = nil) {
            self.operation = operation
            self.step = step
            self.collective = collective
            self.limit = limit
        }
    }

    private let rank: Int
    private let size: Int
    private let limit: Double
    private let directory: URL
    private let lock = NSLock()
    private var activity = Activity(operation: "starting", step: 0, collective: false)
    private var since = Date()
    private var running = true
    /// This rank's file, rewritten in place (-1 when the watchdog is off).
    private let fd: Int32

    /// Starts the watchdog thread; `limit` 0 disables it.
    public init(rank: Int, size: Int, limit: Double, directory: URL) {
        self.rank = rank
        self.size = size
        self.limit = limit
        self.directory = directory
        guard limit > 0 else { fd = -1; return }
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        fd = open(Self.file(rank, in: directory).path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        Thread.detachNewThread { [self] in loop() }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Writes `activity` over this rank's file: one pwrite of a fixed-width line, a few
    /// microseconds, so it can follow every step; a reader never sees a shorter line's tail.
    private func publish(_ activity: Activity, elapsed: Double, now: Date) {
        guard fd >= 0 else { return }
        var line = Array(Self.fileLine(activity, elapsed: elapsed, now: now).utf8.dropLast())
        line += [UInt8](repeating: UInt8(ascii: " "), count: max(0, Self.lineWidth - 1 - line.count)) + [UInt8(ascii: "\n")]
        _ = line.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// The width every rank file line is padded to (a longer operation name only widens it).
    public static let lineWidth = 160

    /// Records that this rank now does `operation` (a collective when it waits for other ranks),
    /// optionally with a limit of its own instead of `distributed.watchdog_s`.
    public func enter(_ operation: String, step: Int, collective: Bool, limit: (seconds: Double, setting: String)? = nil) {
        let now = Date()
        lock.lock()
        let newStep = step != activity.step
        activity = Activity(operation: operation, step: step, collective: collective, limit: limit)
        since = now
        let current = activity
        lock.unlock()
        if newStep { publish(current, elapsed: 0, now: now) }
    }

    /// Stops checking (the run is over).
    public func stop() {
        lock.lock()
        running = false
        lock.unlock()
    }

    private func loop() {
        while true {
            Thread.sleep(forTimeInterval: 1)
            lock.lock()
            let (now, current, started, alive) = (Date(), activity, since, running)
            lock.unlock()
            guard alive else { return }
            let elapsed = now.timeIntervalSince(started)
            publish(current, elapsed: elapsed, now: now)
            if Self.isOverdue(current, elapsed: elapsed, limit: limit) {
                let message = Self.diagnosis(rank: rank, size: size, limit: limit, mine: current, elapsed: elapsed, now: now, directory: directory)
                Log.plain(message)
                // issue 13: rank 0's status.json says "failed" with this line (directory is checkpoint.dir/.watchdog).
                if rank == 0 { RunStatus.recordFailure(runDirectory: directory.deletingLastPathComponent(), message: message, worldSize: size) }
                _exit(3)
            }
        }
    }

    /// Whether `activity`, going on for `elapsed` seconds, has outlasted its limit. A rank stuck in
    /// its own work gets twice the limit, so that the ranks waiting for it report first.
    public static func isOverdue(_ activity: Activity, elapsed: Double, limit: Double) -> Bool {
        elapsed > (activity.collective ? 1 : 2) * (activity.limit?.seconds ?? limit)
    }

    /// The file through which rank `r` tells the others what it does.
    public static func file(_ r: Int, in directory: URL) -> URL { directory.appendingPathComponent("rank-\(r)") }

    /// One rank's file: time stamp, step, collective flag, seconds in the operation, operation.
    public static func fileLine(_ activity: Activity, elapsed: Double, now: Date) -> String {
        "\(now.timeIntervalSince1970) \(activity.step) \(activity.collective ? 1 : 0) \(Int(elapsed)) \(activity.operation)\n"
    }

    /// The line `rank` prints before ending the job: what it waits in, and from the other ranks'
    /// files which of them are elsewhere, silent for over 5 s (dead) or never reported.
    public static func diagnosis(rank: Int, size: Int, limit: Double, mine: Activity, elapsed: Double, now: Date, directory: URL) -> String {
        var others: [String] = []
        for r in 0..<size where r != rank {
            guard let text = try? String(contentsOf: file(r, in: directory), encoding: .utf8) else {
                others.append("rank \(r) has not reported (not started or dead)")
                continue
            }
            let f = text.split(separator: " ", maxSplits: 4).map(String.init)
            guard f.count == 5, let stamp = Double(f[0]), let step = Int(f[1]), let secs = Int(f[3]) else { continue }
            let operation = f[4].trimmingCharacters(in: .whitespacesAndNewlines)
            let silent = now.timeIntervalSince1970 - stamp
            if silent > 5 {
                others.append("rank \(r) is silent for \(Int(silent)) s (dead?), last in \(operation) at step \(step)")
            } else if operation != mine.operation || step != mine.step {
                others.append("rank \(r) did not arrive: in \(operation) at step \(step) for \(secs) s")
            }
        }
        let what = mine.collective ? "waits in \(mine.operation)" : "is stuck in \(mine.operation)"
        let setting = mine.limit?.setting ?? "distributed.watchdog_s = \(Int(limit))"
        var message = "[rank \(rank)] watchdog: no progress for \(Int(elapsed)) s (\(setting)): rank \(rank) \(what) at step \(mine.step)"
        if !others.isEmpty { message += "; " + others.joined(separator: "; ") }
        return message + "; ending the job (resume with --resume)"
    }
}
