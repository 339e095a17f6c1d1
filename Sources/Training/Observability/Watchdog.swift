import Foundation
import RunConfig

/// Ends a job whose ranks stop making progress, naming the ranks that did not arrive.
///
/// The main thread announces each operation (`enter`); a background thread writes this rank's
/// current operation to `<dir>/rank-N` every second and checks how long it has lasted. A rank
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
    }

    private let rank: Int
    private let size: Int
    private let limit: Double
    private let directory: URL
    private let lock = NSLock()
    private var activity = Activity(operation: "starting", step: 0, collective: false)
    private var since = Date()
    private var running = true

    /// Starts the watchdog thread; `limit` 0 disables it.
    public init(rank: Int, size: Int, limit: Double, directory: URL) {
        self.rank = rank
        self.size = size
        self.limit = limit
        self.directory = directory
        guard limit > 0 else { return }
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        Thread.detachNewThread { [self] in loop() }
    }

    /// Records that this rank now does `operation` (a collective when it waits for other ranks),
    /// optionally with a limit of its own instead of `distributed.watchdog_s`.
    public func enter(_ operation: String, step: Int, collective: Bool, limit: (seconds: Double, setting: String)? = nil) {
        lock.lock()
        activity = Activity(operation: operation, step: step, collective: collective, limit: limit)
        since = Date()
        lock.unlock()
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
            let line = "\(now.timeIntervalSince1970) \(current.step) \(current.collective ? 1 : 0) \(Int(elapsed)) \(current.operation)\n"
            try? Data(line.utf8).write(to: file(rank), options: .atomic)
            let allowed = current.limit?.seconds ?? limit
            if elapsed > (current.collective ? allowed : 2 * allowed) {
                report(current, elapsed: elapsed, now: now)
            }
        }
    }

    private func file(_ r: Int) -> URL { directory.appendingPathComponent("rank-\(r)") }

    private func report(_ mine: Activity, elapsed: Double, now: Date) -> Never {
        var others: [String] = []
        for r in 0..<size where r != rank {
            guard let text = try? String(contentsOf: file(r), encoding: .utf8) else {
                others.append("rank \(r) has not reported (not started or dead)")
                continue
            }
            let f = text.split(separator: " ", maxSplits: 4).map(String.init)
            guard f.count == 5, let stamp = Double(f[0]), let step = Int(f[1]), let secs = Int(f[3]) else { continue }
            let operation = f[4].trimmingCharacters(in: .newlines)
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
        message += "; ending the job (resume with --resume)"
        Log.plain(message)
        // issue 13: rank 0's status.json says "failed" with this line (directory is checkpoint.dir/.watchdog).
        if rank == 0 { RunStatus.recordFailure(runDirectory: directory.deletingLastPathComponent(), message: message, worldSize: size) }
        _exit(3)
    }
}
