import Foundation
import Testing
import ScalingLaws

/// Turning a sweep file into cells: steps, names, order, FLOPs and the held-out check.
@Suite struct SweepPlanTests {
    // GPT-2 counts for V = 512, T = 32 (what Training's model gives; here by formula).
    static func counts(depth: Int, width: Int, heads: Int) -> ModelCounts {
        let nonEmbedding = depth * (12 * width * width + 13 * width) + 2 * width
        let allButWpe = nonEmbedding + 512 * width
        return ModelCounts(nonEmbeddingParams: nonEmbedding, flopsPerToken: Double(6 * allButWpe + 12 * depth * width * 32))
    }

    private func spec(_ budgets: SweepSpec.Budgets, heldOut: HeldOutCell? = nil) -> SweepSpec {
        var spec = SweepSpec(base: "configs/gpt-tiny.json", dir: "sweep", shapes: [
            ModelShape(depth: 1, width: 32), ModelShape(depth: 2, width: 64), ModelShape(depth: 2, width: 96, heads: 3),
        ])
        spec.headSize = 16
        switch budgets {
        case .tokens(let t): spec.tokens = t
        case .flops(let f): spec.flops = f
        }
        spec.heldOut = heldOut
        spec.warmupFraction = 0.1
        return spec
    }

    @Test func tokenGridCellsHaveTheirStepsScheduleAndCompute() throws {
        let plan = try SweepPlan(spec: spec(.tokens([10240, 20000])), batchTokens: 512, source: "s.json", counts: Self.counts)
        #expect(plan.grid.count == 6)
        #expect(plan.grid.map(\.flops) == plan.grid.map(\.flops).sorted())
        let cell = try #require(plan.grid.first { $0.depth == 2 && $0.width == 64 && $0.tokens == 19968 })
        #expect(cell.name == "L2-W64-H4-D19968")  // 20000 tokens round to 39 steps of 512
        #expect(cell.steps == 39 && cell.warmupSteps == 4)
        #expect(cell.flops == Self.counts(depth: 2, width: 64, heads: 4).flopsPerToken * 19968)
        #expect(plan.grid.first { $0.width == 96 }?.heads == 3)
        #expect(plan.heldOut == nil && plan.cells.count == 6)
    }

    /// steps × batch tokens past Int.max is one line, not an overflow trap.
    @Test func tokenCountOverflowIsAnError() {
        do {
            _ = try SweepPlan(spec: spec(.tokens([9e23, 9.1e23])), batchTokens: 1 << 30, source: "s.json", counts: Self.counts)
            Issue.record("a plan of 9e23 tokens was accepted")
        } catch {
            #expect(error.description.contains("more tokens than a 64-bit count holds"))
        }
    }

    @Test func flopsGridPicksTokensFromTheModelsCount() throws {
        let plan = try SweepPlan(spec: spec(.flops([1e10, 3e10])), batchTokens: 512, source: "s.json", counts: Self.counts)
        for cell in plan.grid {
            let wanted = cell.budget! / cell.counts.flopsPerToken
            #expect(abs(Double(cell.tokens) - wanted) <= 256, "\(cell.name): \(cell.tokens) tokens for \(wanted)")
        }
        // Bigger models get fewer tokens from the same budget.
        let atBudget = plan.grid.filter { $0.budget == 3e10 }.sorted { $0.counts.nonEmbeddingParams < $1.counts.nonEmbeddingParams }
        #expect(atBudget.map(\.tokens) == atBudget.map(\.tokens).sorted(by: >))
    }

    @Test func heldOutCellMustBeBiggerThanTheGrid() throws {
        let big = try SweepPlan(spec: spec(.tokens([10240, 20480]), heldOut: HeldOutCell(depth: 3, width: 128, tokens: 40960)),
                                batchTokens: 512, source: "s.json", counts: Self.counts)
        #expect(big.heldOut?.name == "heldout-L3-W128-H8-D40960")
        #expect(big.cells.last == big.heldOut)
        #expect(throws: SweepFileError.self) {
            try SweepPlan(spec: spec(.tokens([10240, 20480]), heldOut: HeldOutCell(depth: 1, width: 48, tokens: 81920)),
                          batchTokens: 512, source: "s.json", counts: Self.counts)
        }
        do {
            _ = try SweepPlan(spec: spec(.tokens([10240, 20480]), heldOut: HeldOutCell(depth: 3, width: 128, tokens: 5120)),
                              batchTokens: 512, source: "s.json", counts: Self.counts)
            Issue.record("a held-out cell with less compute than the grid was accepted")
        } catch {
            #expect(error.description.contains("`held_out`") && error.description.contains("bigger than every grid cell"))
        }
    }

    @Test func budgetsTooSmallForTenStepsAreRefused() {
        do {
            _ = try SweepPlan(spec: spec(.tokens([2048, 20480])), batchTokens: 512, source: "s.json", counts: Self.counts)
            Issue.record("a 4-step cell was accepted")
        } catch {
            #expect(error.description == "s.json: `tokens[0]` gives depth 1, width 32 only 4 steps of 512 tokens; raise the budget to at least 10 steps")
        }
    }

    @Test func absurdBudgetsAreRefusedNotOverflowed() {
        do {
            _ = try SweepPlan(spec: spec(.tokens([10240, 1e300])), batchTokens: 512, source: "s.json", counts: Self.counts)
            Issue.record("a 1e300-token budget was accepted")
        } catch {
            #expect(error.description.contains("`tokens[1]`") && error.description.contains("check the budget's exponent"))
        }
    }

    @Test func budgetsThatRoundToTheSameRunAreRefused() {
        #expect(throws: SweepFileError.self) {
            try SweepPlan(spec: spec(.tokens([10240, 10300])), batchTokens: 512, source: "s.json", counts: Self.counts)
        }
    }
}
