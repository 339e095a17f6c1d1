import Collectives
import Foundation
import RunConfig
import Testing
import TestSupport
import Training

/// The step loop's decisions without a model: a scripted host records what the loop asked of it,
/// on one rank or on several ranks as threads (issue 21, item 7).
@Suite struct StepLoopTests {
    /// A stand-in trainer whose steps take no time and whose skipped steps are given in advance.
    final class ScriptedHost: StepLoopHost {
        var step: Int
        let skipped: Set<Int>
        var rates: [Double] = []
        var evaluations: [Int] = [], checks: [Int] = [], saves: [Int] = []

        init(from step: Int = 0, skipped: Set<Int> = []) {
            self.step = step
            self.skipped = skipped
        }

        func trainStep(learningRate: Double) throws -> StepRecord {
            rates.append(learningRate)
            step += 1
            return StepRecord(step: step - 1, loss: 1, lr: learningRate, gradNorm: 1, tokens: step, skipped: skipped.contains(step - 1),
                              milliseconds: 0, tokensPerSecond: 0, allReduceMilliseconds: 0)
        }
        func evaluate(onEvent: (TrainingEvent) -> Void) throws { evaluations.append(step) }
        func verifyReplicas() throws -> Int { checks.append(step); return 1 }
        func save(learningRate: Double) throws -> URL {
            saves.append(step)
            return URL(fileURLWithPath: "/nonexistent/step-\(step)")
        }
    }

    static func config(steps: Int, evalEvery: Int, saveEvery: Int, maxSkipped: Int = 5) -> TrainConfig {
        var c = TrainConfig()
        c.training.maxSteps = steps
        c.training.maxSkippedSteps = maxSkipped
        c.eval.every = evalEvery
        c.checkpoint.every = saveEvery
        return c
    }

    @Test func evaluatesAndSavesOnTheirCadenceAndAfterTheLastStep() throws {
        let c = Self.config(steps: 10, evalEvery: 4, saveEvery: 3)
        let host = ScriptedHost()
        var saved: [Int] = []
        try StepLoop(config: c, comm: LocalCommunicator(), watchdog: nil, checkpointBytes: 0)
            .run(host, untilStep: nil, shouldStop: { false }) { if case .saved(let step, _, _, _) = $0 { saved.append(step) } }
        #expect(host.step == 10)
        #expect(host.evaluations == [4, 8, 10])
        #expect(host.saves == [3, 6, 9, 10])
        #expect(host.checks == host.saves)
        #expect(saved == host.saves)
        let schedule = LearningRateSchedule(c.training)
        #expect(host.rates == (0..<10).map { schedule.rate(at: $0) })
    }

    @Test func untilStepStopsAResumedRunWithACheckpoint() throws {
        let host = ScriptedHost(from: 4)
        try StepLoop(config: Self.config(steps: 20, evalEvery: 0, saveEvery: 0), comm: LocalCommunicator(), watchdog: nil, checkpointBytes: 0)
            .run(host, untilStep: 7, shouldStop: { false }) { _ in }
        #expect(host.step == 7)
        #expect(host.evaluations.isEmpty)
        #expect(host.saves == [7])
    }

    @Test func aStopSeenOnlyByRankZeroStopsEveryRankAtTheSameStep() {
        let c = Self.config(steps: 50, evalEvery: 0, saveEvery: 0)
        let results = ThreadWorld(size: 3).run { comm -> (step: Int, checks: [Int], saves: [Int]) in
            let host = ScriptedHost()
            // Only rank 0 is asked, and only it would see a signal: here after two steps.
            let stop: () -> Bool = {
                if comm.rank != 0 { Issue.record("rank \(comm.rank) was asked whether to stop") }
                return host.step >= 2
            }
            do {
                try StepLoop(config: c, comm: comm, watchdog: nil, checkpointBytes: 0).run(host, untilStep: nil, shouldStop: stop) { _ in }
            } catch { Issue.record("rank \(comm.rank): \(error)") }
            return (host.step, host.checks, host.saves)
        }
        for (rank, r) in results.enumerated() {
            #expect(r.step == 3, "rank \(rank)")
            #expect(r.checks == [3], "rank \(rank) checks the replicas before the save")
            #expect(r.saves == (rank == 0 ? [3] : []), "only rank 0 writes")
        }
    }

    @Test func noCheckpointFollowsASkippedStep() throws {
        // Step index 5 (the 6th step) is skipped, so the save due after it waits for step 9.
        let host = ScriptedHost(skipped: [5])
        var warnings: [String] = []
        try StepLoop(config: Self.config(steps: 9, evalEvery: 0, saveEvery: 3), comm: LocalCommunicator(), watchdog: nil, checkpointBytes: 0)
            .run(host, untilStep: nil, shouldStop: { false }) { if case .warning(let w) = $0 { warnings.append(w) } }
        #expect(host.saves == [3, 9])
        #expect(warnings.count == 1 && warnings[0].contains("step 5"))
    }

    @Test func tooManySkippedStepsInARowStopEveryRankWithoutSaving() {
        let c = Self.config(steps: 20, evalEvery: 0, saveEvery: 1, maxSkipped: 2)
        let results = ThreadWorld(size: 2).run { comm -> (step: Int, saves: [Int], error: String) in
            let host = ScriptedHost(skipped: [4, 5, 6, 7])
            do {
                try StepLoop(config: c, comm: comm, watchdog: nil, checkpointBytes: 0).run(host, untilStep: nil, shouldStop: { false }) { _ in }
                return (host.step, host.saves, "no error")
            } catch { return (host.step, host.saves, "\(error)") }
        }
        for (rank, r) in results.enumerated() {
            #expect(r.step == 7, "rank \(rank) stops after the third skipped step in a row")
            #expect(r.saves == (rank == 0 ? [1, 2, 3, 4] : []))
            #expect(r.error.contains("3 steps in a row (up to step 6)"), "rank \(rank): \(r.error)")
        }
    }
}
