import Data
import Foundation
import GPT
import RunConfig

/// Start-up steps of a run that sit between the config and the loop.
public enum RunSetup {
    /// Refuses, before MPI starts, a run whose global batch does not split over the launcher's
    /// ranks (naming the rank counts that would) or whose ranks on this machine would not fit in
    /// its memory.
    public static func checkMemory(_ config: TrainConfig) throws(ConfigError) {
        _ = try BatchPlan(config: config, worldSize: LaunchEnvironment.current.worldSize)
        try MemoryRequirement(config: config).sharded(config: config, ranks: LaunchEnvironment.current.worldSize).checkFits(ranks: LaunchEnvironment.current.localSize, available: AvailableMemory.current())
    }

    /// Sets this rank's kernel threads, the products' tiles included, as `ThreadChoice` decides
    /// (OPENBLAS_NUM_THREADS, or the node's cores shared among its ranks), and returns the count. The first rank on a node prints a warning when the node is oversubscribed.
    @discardableResult
    public static func configureThreads() -> Int {
        startupResidentBytes = ResidentMemory.current()
        let launch = LaunchEnvironment.current
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let choice = ThreadChoice.choose(launch: launch, nodeCores: cores, allowedCores: ThreadChoice.allowedCores(fallback: cores))
        let threads = KernelThreads.configure(threads: choice.threads)
        if let warning = choice.warning, launch.isFirstOnMachine {
            // With several machines, say which one is oversubscribed.
            let host = launch.worldSize > launch.localSize ? "\(ProcessInfo.processInfo.hostName): " : ""
            Log.warning(host + warning)
        }
        return threads
    }

    /// Resident bytes when `configureThreads` ran, before the run allocated anything: the baseline
    /// of the start-up memory estimate. Written once at start-up.
    nonisolated(unsafe) public static var startupResidentBytes = 0

    /// OpenBLAS's name for the kernels it runs on this CPU, e.g. "SkylakeX" or "Haswell".
    public static var blasCoreName: String { KernelThreads.blasCoreName }

    /// A few lines describing the run, printed by rank 0 at start-up.
    public static func summary(config: TrainConfig, plan: BatchPlan, parameterCount: Int, threads: Int) throws(ConfigError) -> String {
        let m = config.model, t = config.training
        // The same requirement as the refusal before MPI, itemized by the estimate.
        let estimate = try MemoryEstimate(config: config, plan: plan, baselineBytes: startupResidentBytes)
        let r = estimate.requirement
        let stateBytes = Double(r.weightBytes + r.optimizerBytes + r.exactBytes), activationBytes = Double(r.activationBytes)
        let total = Double(estimate.totalBytes)
        func mib(_ b: Double) -> String { String(format: "%.0f MiB", b / 1048576) }
        // A line only under Muon, so that AdamW runs print what they always did.
        let optimizer = t.optimizer != "muon" ? "" : "\noptimizer: Muon (lr \(t.lr), momentum \(t.muonMomentum)) on the blocks' matrices, AdamW (lr \(t.resolvedAdamLr)) on the rest; one schedule multiplier"
        return """
        trainer: \(plan.worldSize) rank\(plan.worldSize == 1 ? "" : "s") × \(threads) thread\(threads == 1 ? "" : "s") (OpenBLAS core \(blasCoreName))
        model: \(m.nLayer) layers, \(m.nHead) heads, width \(m.nEmbd), context \(m.blockSize), vocab \(m.vocabSize): \(String(format: "%.2fM", Double(parameterCount) / 1e6)) parameters
        batch: \(plan.tokensPerStep) tokens/step = \(plan.microBatch) sequences × \(plan.sequence) tokens × \(plan.worldSize) ranks × \(plan.accumulationSteps) accumulation steps
        schedule: \(t.schedule), lr \(t.lr) → \(t.minLr), warmup \(t.warmupSteps), \(t.maxSteps) steps\(optimizer)
        memory per rank (estimate): \(mib(stateBytes)) weights+gradients+AdamW\(config.distributed.exact ? "+exact sums" : ""), \(mib(activationBytes)) activations, \(mib(total - stateBytes - activationBytes)) runtime, libraries and buffers, \(mib(total)) in all
        """
    }
}
