import Foundation
import Testing
import TestSupport
import Training

/// The watchdog's verdicts without ending a process: when an operation is overdue, and what the
/// waiting rank says about the others from their files (issue 21, item 7).
@Suite struct WatchdogTests {
    typealias Activity = Watchdog.Activity

    @Test func waitsGetTheLimitAndOwnWorkTwiceIt() {
        let wait = Activity(operation: "gradient all-reduce", step: 3, collective: true)
        let work = Activity(operation: "forward/backward", step: 3, collective: false)
        let save = Activity(operation: "waiting for rank 0's checkpoint save", step: 3, collective: true, limit: (100, "checkpoint.save_timeout_s = 100"))
        #expect(!Watchdog.isOverdue(wait, elapsed: 10, limit: 10))
        #expect(Watchdog.isOverdue(wait, elapsed: 10.5, limit: 10))
        #expect(!Watchdog.isOverdue(work, elapsed: 19, limit: 10))
        #expect(Watchdog.isOverdue(work, elapsed: 21, limit: 10))
        #expect(!Watchdog.isOverdue(save, elapsed: 99, limit: 10))
        #expect(Watchdog.isOverdue(save, elapsed: 101, limit: 10))
    }

    @Test func theReportNamesRanksElsewhereSilentAndMissing() throws {
        let dir = try TestDirectory.make("watchdog")
        let now = Date(timeIntervalSince1970: 1_000_000)
        let mine = Activity(operation: "gradient all-reduce", step: 7, collective: true)
        func write(_ rank: Int, _ activity: Activity, elapsed: Double, at time: Date) throws {
            try Data(Watchdog.fileLine(activity, elapsed: elapsed, now: time).utf8).write(to: Watchdog.file(rank, in: dir))
        }
        try write(1, mine, elapsed: 11, at: now)  // arrived: not named
        try write(2, Activity(operation: "forward/backward", step: 7, collective: false), elapsed: 12, at: now)
        try write(4, Activity(operation: "forward/backward", step: 6, collective: false), elapsed: 3, at: now.addingTimeInterval(-30))
        // rank 3 never wrote its file
        let line = Watchdog.diagnosis(rank: 0, size: 5, limit: 10, mine: mine, elapsed: 11, now: now, directory: dir)
        #expect(line == "[rank 0] watchdog: no progress for 11 s (distributed.watchdog_s = 10): rank 0 waits in gradient all-reduce at step 7; "
                + "rank 2 did not arrive: in forward/backward at step 7 for 12 s; rank 3 has not reported (not started or dead); "
                + "rank 4 is silent for 30 s (dead?), last in forward/backward at step 6; ending the job (resume with --resume)")
    }

    @Test func aStuckRankSaysSoWithTheOperationsOwnSetting() throws {
        let dir = try TestDirectory.make("watchdog-save")
        let save = Activity(operation: "checkpoint save", step: 20, collective: false, limit: (5, "checkpoint.save_timeout_s = 5"))
        let line = Watchdog.diagnosis(rank: 0, size: 1, limit: 600, mine: save, elapsed: 11, now: Date(), directory: dir)
        #expect(line == "[rank 0] watchdog: no progress for 11 s (checkpoint.save_timeout_s = 5): rank 0 is stuck in checkpoint save at step 20; ending the job (resume with --resume)")
    }

    @Test func theRunningWatchdogPublishesThisRanksOperation() throws {
        let dir = try TestDirectory.make("watchdog-live")
        let dog = Watchdog(rank: 0, size: 1, limit: 600, directory: dir)
        defer { dog.stop() }
        dog.enter("evaluation", step: 12, collective: false)
        var text = ""
        for _ in 0..<100 where !text.contains("evaluation") {  // the thread writes once a second
            usleep(100_000)
            text = (try? String(contentsOf: Watchdog.file(0, in: dir), encoding: .utf8)) ?? ""
        }
        let fields = text.split(separator: " ", maxSplits: 4)
        #expect(fields.count == 5 && fields[1] == "12" && fields[2] == "0" && fields[4].trimmingCharacters(in: .whitespacesAndNewlines) == "evaluation",
                "rank-0 file: \(text)")
    }

    /// A rank that stops between the thread's writes (SIGSTOP, a crash) must leave its true step:
    /// each new step is written by `enter` itself, before it returns.
    @Test func everyNewStepIsInTheFileWhenEnterReturns() throws {
        let dir = try TestDirectory.make("watchdog-steps")
        let dog = Watchdog(rank: 1, size: 2, limit: 600, directory: dir)
        defer { dog.stop() }
        for step in [1, 2, 835] {
            dog.enter("gradient all-reduce", step: step, collective: true)
            let text = try String(contentsOf: Watchdog.file(1, in: dir), encoding: .utf8)
            let fields = text.split(separator: " ", maxSplits: 4)
            #expect(fields.count == 5 && fields[1] == Substring("\(step)") && text.count == Watchdog.lineWidth, "rank-1 file: \(text)")
        }
        // The report that rank 0 would print names step 835, not an older one.
        let mine = Watchdog.Activity(operation: "gradient all-reduce", step: 835, collective: true)
        let line = Watchdog.diagnosis(rank: 0, size: 2, limit: 10, mine: mine, elapsed: 11, now: Date(), directory: dir)
        #expect(!line.contains("rank 1"), "rank 1 is at the same step and operation: \(line)")
    }
}
