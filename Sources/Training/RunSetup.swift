import CBLAS
import Data
import Foundation
import GPT

/// Start-up steps of a run that sit between the config and the loop.
public enum RunSetup {
    /// Fails early, before MPI starts, when the corpus is missing and no prepared data exists, or
    /// (unless `model` is false) when the ranks on this machine would not fit in its memory.
    public static func checkInputs(_ config: TrainConfig, model: Bool = true) throws(ConfigError) {
        if model {
            try MemoryEstimate(config: config).checkFits(ranks: ranksOnThisMachine, available: AvailableMemory.current())
        }
        let manifest = URL(fileURLWithPath: config.data.dir).appendingPathComponent("prepared.json")
        if FileManager.default.fileExists(atPath: manifest.path) { return }
        guard FileManager.default.fileExists(atPath: config.data.corpus) else {
            throw ConfigError("data.corpus", "\(config.data.corpus) does not exist; point it at a text file or a folder of .txt files (the bundled corpus is data/shakespeare)")
        }
    }

    /// Ranks of this job on this machine, as the launcher announces it before MPI starts (Open MPI's
    /// OMPI_COMM_WORLD_LOCAL_SIZE, else MPI_LOCALNRANKS); 1 when run without a launcher.
    public static var ranksOnThisMachine: Int {
        let env = ProcessInfo.processInfo.environment
        let text = env["OMPI_COMM_WORLD_LOCAL_SIZE"] ?? env["MPI_LOCALNRANKS"] ?? "1"
        guard let n = Int(text), (1...1_000_000).contains(n) else { return 1 }
        return n
    }

    /// Trains the tokenizer and writes the shards when needed, or loads what is there; without a
    /// corpus, uses the prepared directory as it is.
    public static func prepareData(_ config: TrainConfig, progress: (String) -> Void) throws -> PreparedData {
        if !FileManager.default.fileExists(atPath: config.data.corpus) {
            progress("corpus \(config.data.corpus) not found; using the prepared data in \(config.data.dir) as it is")
            return try DataPreparation.openPrepared(directory: URL(fileURLWithPath: config.data.dir), vocabSize: config.model.vocabSize)
        }
        return try DataPreparation.prepare(
            corpus: URL(fileURLWithPath: config.data.corpus), directory: URL(fileURLWithPath: config.data.dir),
            vocabSize: config.model.vocabSize, valFraction: config.data.valFraction, progress: progress)
    }

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
        // The config was validated, so the estimate exists; parameters, gradients, two AdamW moments, activations.
        let estimate = try? MemoryEstimate(model: m, batch: plan.microBatch, sequence: plan.sequence)
        let stateBytes = Double(estimate?.stateBytes ?? 0), activationBytes = Double(estimate?.activationBytes ?? 0)
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
