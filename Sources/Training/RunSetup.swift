import CBLAS
import Data
import Foundation
import GPT

/// Start-up steps of a run that sit between the config and the loop.
public enum RunSetup {
    /// Makes the non-GEMM kernels use as many threads as OpenBLAS does, and returns that count.
    @discardableResult
    public static func configureThreads() -> Int {
        let threads = max(1, Int(openblas_get_num_threads()))
        KernelThreads.count = threads
        return threads
    }

    /// OpenBLAS's name for the kernels it runs on this CPU, e.g. "SkylakeX" or "Haswell".
    public static var blasCoreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// A few lines describing the run, printed by rank 0 at start-up.
    public static func summary(config: TrainConfig, plan: BatchPlan, parameterCount: Int, threads: Int) -> String {
        let m = config.model, t = config.training
        let stateBytes = Double(parameterCount) * 16  // parameters, gradients, two AdamW moments
        let activationBytes = Double(GPTModel.activationBytes(config: m, batch: plan.microBatch, sequence: plan.sequence))
        func mib(_ b: Double) -> String { String(format: "%.0f MiB", b / 1048576) }
        return """
        trainer: \(plan.worldSize) rank\(plan.worldSize == 1 ? "" : "s") × \(threads) thread\(threads == 1 ? "" : "s") (OpenBLAS core \(blasCoreName))
        model: \(m.nLayer) layers, \(m.nHead) heads, width \(m.nEmbd), context \(m.blockSize), vocab \(m.vocabSize): \(String(format: "%.2fM", Double(parameterCount) / 1e6)) parameters
        batch: \(plan.tokensPerStep) tokens/step = \(plan.microBatch) sequences × \(plan.sequence) tokens × \(plan.worldSize) ranks × \(plan.accumulationSteps) accumulation steps
        schedule: \(t.schedule), lr \(t.lr) → \(t.minLr), warmup \(t.warmupSteps), \(t.maxSteps) steps
        memory per rank (estimate): \(mib(stateBytes)) weights+gradients+AdamW, \(mib(activationBytes)) activations, \(mib(stateBytes + activationBytes)) in all
        """
    }
}
