import Foundation
import RunConfig
import ScalingLaws
import Training

/// `trainer sweep SWEEP.json`: the sweep file, its base config and its planned cells, with every
/// cell's training config checked before MPI starts (`init`), and the run of all cells under
/// MPI (`run`, in SweepRun+Cells.swift).
public struct SweepRun {
    /// The sweep file's path, named in messages.
    public let source: String
    /// The sweep file's contents.
    public let spec: SweepSpec
    /// The base config with the sweep file's `set` and the command line's overrides applied.
    public let base: TrainConfig
    /// The cells in the order they run.
    public let plan: SweepPlan

    /// Fields each cell sets itself; an override of one would be silently replaced, so it is refused.
    static let cellFields = [
        "model.n_layer", "model.n_head", "model.n_embd", "training.max_steps", "training.warmup_steps",
        "training.schedule", "checkpoint.dir", "training.init_from",
    ]

    /// Loads and checks everything that can be wrong with the inputs: the sweep file, the base
    /// config with `set` and `overrides`, the plan, and for every cell its config and its batch
    /// split over `worldSize` ranks. Every error is one line naming the file and the field.
    public init(path: String, overrides: [String] = [], worldSize: Int) throws {
        source = path
        spec = try SweepFile.load(path: path)
        for (i, o) in (spec.set + overrides).enumerated() {
            let key = o.split(separator: "=", maxSplits: 1).first.map(String.init) ?? o
            guard !Self.cellFields.contains(key) else {
                let place = i < spec.set.count ? "`set[\(i)]`" : "--set \(o)"
                throw SweepFileError(path, "\(place) overrides \(key), which the sweep sets for each cell from its shape and budget; remove it")
            }
        }
        do {
            base = try ConfigLoader.load(path: spec.base, overrides: spec.set + overrides)
            try RunSetup.checkInputs(base)
        } catch {
            throw SweepFileError(path, "`base` with `set`: \(error)")
        }
        guard base.training.initFrom.isEmpty else {
            throw SweepFileError(path, "the base config sets training.init_from; a sweep trains every cell from scratch, so remove it")
        }
        let model = base.model
        plan = try SweepPlan(spec: spec, batchTokens: base.training.batchTokens, source: path) { depth, width, heads in
            var shape = model
            (shape.nLayer, shape.nEmbd, shape.nHead) = (depth, width, heads)
            return ModelCounts(nonEmbeddingParams: ModelSize.nonEmbeddingParameters(shape), flopsPerToken: ModelSize.flopsPerToken(shape))
        }
        for cell in plan.cells {
            let config = config(for: cell)
            do {
                try ConfigValidation.check(config)
                _ = try BatchPlan(config: config, worldSize: worldSize)
            } catch {
                throw SweepFileError(path, "cell \(cell.name): \(error)")
            }
        }
    }

    /// The sweep's directory.
    public var directory: URL { URL(fileURLWithPath: spec.dir) }

    /// A cell's training config: the base with the cell's shape, its steps, warmup and a cosine
    /// schedule over exactly those steps, and its own run directory under the sweep's.
    public func config(for cell: PlannedCell) -> TrainConfig {
        var c = base
        (c.model.nLayer, c.model.nEmbd, c.model.nHead) = (cell.depth, cell.width, cell.heads)
        (c.training.maxSteps, c.training.warmupSteps, c.training.schedule) = (cell.steps, cell.warmupSteps, "cosine")
        c.checkpoint.dir = (spec.dir as NSString).appendingPathComponent(cell.name)
        return c
    }

}
