import Foundation
import RunConfig
import ScalingLaws
import Testing
import Training

/// The bundled sweep files name a base config and overrides that load, and every planned cell
/// of theirs is a valid training config (model counts as Training's model defines them).
@Suite struct SweepConfigTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ["configs/sweep-tiny.json", "configs/sweep-shakespeare.json"])
    func bundledSweepPlansValidCells(path: String) throws {
        let spec = try SweepFile.load(path: Self.root.appendingPathComponent(path).path)
        let base = try ConfigLoader.load(path: Self.root.appendingPathComponent(spec.base).path, overrides: spec.set)
        let plan = try SweepPlan(spec: spec, batchTokens: base.training.batchTokens, source: path) { depth, width, heads in
            var model = base.model
            (model.nLayer, model.nEmbd, model.nHead) = (depth, width, heads)
            return ModelCounts(nonEmbeddingParams: ModelSize.nonEmbeddingParameters(model), flopsPerToken: ModelSize.flopsPerToken(model))
        }
        #expect(plan.grid.count >= 6 && plan.heldOut != nil)
        for cell in plan.cells {
            var config = base
            (config.model.nLayer, config.model.nEmbd, config.model.nHead) = (cell.depth, cell.width, cell.heads)
            (config.training.maxSteps, config.training.warmupSteps) = (cell.steps, cell.warmupSteps)
            try ConfigValidation.check(config)
            // The bundled sweeps run at -n 2, as the README says.
            _ = try BatchPlan(config: config, worldSize: 2)
        }
    }
}
