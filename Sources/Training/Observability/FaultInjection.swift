import Foundation
import RunConfig

/// Deliberate failures for testing what the job does when a rank crashes, hangs, produces NaN or
/// runs slowly. Read from the environment variable TRAINER_FAULT, e.g.
///
///     TRAINER_FAULT=crash:rank=1:step=15            rank 1 kills itself (SIGKILL) at step 15
///     TRAINER_FAULT=hang:rank=1:step=5              rank 1 stops making progress at step 5
///     TRAINER_FAULT=nan:rank=0:step=3:count=2       rank 0 writes NaN into a gradient after backward
///                                                   (before the all-reduce) at steps 3 and 4
///     TRAINER_FAULT=slow:rank=1:step=0:seconds=0.5  rank 1 sleeps 0.5 s in every step from step 0
///     TRAINER_FAULT=crash-in-save:step=20           rank 0 dies while writing the step-20 checkpoint
///     TRAINER_FAULT=slow-in-save:step=20:seconds=5  rank 0's step-20 save takes 5 s longer
///     TRAINER_FAULT=hang-in-save:step=20            rank 0's step-20 save never finishes
///
/// `once=PATH` makes a fault fire only if PATH does not exist yet (it is created when the fault
/// fires), so that a supervised rerun of the same command does not fail again.
public struct FaultInjection: Sendable, Equatable {
    /// What goes wrong.
    public enum Kind: String, Sendable, CaseIterable {
        case crash, hang, nan, slow
        case crashInSave = "crash-in-save", slowInSave = "slow-in-save", hangInSave = "hang-in-save"
    }
    public var kind: Kind
    public var rank = 0
    public var step = 0
    public var count = 1
    public var seconds = 1.0
    public var once: String? = nil

    /// Whether the fault strikes inside a checkpoint save (on the saving rank) rather than in a step.
    public var inSave: Bool { [.crashInSave, .slowInSave, .hangInSave].contains(kind) }

    /// The name of the environment variable.
    public static let variable = "TRAINER_FAULT"

    /// The fault named by TRAINER_FAULT, if any.
    public static func fromEnvironment() throws(ConfigError) -> FaultInjection? {
        guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else { return nil }
        return try parse(text)
    }

    /// Parses `kind:key=value:...`.
    public static func parse(_ text: String) throws(ConfigError) -> FaultInjection {
        let parts = text.split(separator: ":").map(String.init)
        let kinds = Kind.allCases.map(\.rawValue).joined(separator: ", ")
        guard let first = parts.first, let kind = Kind(rawValue: first) else {
            throw ConfigError(variable, "\"\(text)\" does not start with a fault kind (\(kinds))")
        }
        var fault = FaultInjection(kind: kind)
        for part in parts.dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw ConfigError(variable, "\"\(part)\" is not key=value") }
            switch kv[0] {
            case "rank": fault.rank = try number(kv[1], part)
            case "step": fault.step = try number(kv[1], part)
            case "count": fault.count = try number(kv[1], part)
            case "seconds":
                guard let s = Double(kv[1]), s >= 0, s <= 86_400 else { throw ConfigError(variable, "\"\(part)\": seconds must be a number from 0 to 86400") }
                fault.seconds = s
            case "once": fault.once = kv[1]
            default: throw ConfigError(variable, "unknown key \"\(kv[0])\"; use rank, step, count, seconds or once")
            }
        }
        return fault
    }

    private static func number(_ s: String, _ part: String) throws(ConfigError) -> Int {
        // Bounded so that step + count and the like cannot overflow.
        guard let n = Int(s), (0...1_000_000_000).contains(n) else { throw ConfigError(variable, "\"\(part)\": expected a whole number from 0 to 1000000000") }
        return n
    }

    /// True when the fault fires on `rank` at `step` (and, with `once`, records that it did).
    public func fires(rank: Int, step: Int) -> Bool {
        guard rank == self.rank else { return false }
        let inWindow = kind == .slow ? step >= self.step : (self.step..<self.step + max(1, count)).contains(step)
        guard inWindow else { return false }
        if let once {
            if FileManager.default.fileExists(atPath: once) { return false }
            _ = FileManager.default.createFile(atPath: once, contents: Data("fired at step \(step)\n".utf8))
        }
        return true
    }

    /// Carries out a crash, hang or slow fault (NaN faults are applied by the caller).
    public func strike() {
        switch kind {
        case .crash, .crashInSave:
            Log.plain(Log.line("fault injection", "\(kind.rawValue) (SIGKILL)", rank: rank))
            kill(getpid(), SIGKILL)
        case .hang, .hangInSave:
            Log.plain(Log.line("fault injection", kind.rawValue, rank: rank))
            while true { sleep(3600) }
        case .slow, .slowInSave:
            Thread.sleep(forTimeInterval: seconds)
        case .nan:
            break
        }
    }
}
