import Foundation
import Testing

/// `trainer bench --profile --json` gives a row for every kernel the model family runs, with
/// shares that add up to the step and positive byte and FLOP estimates. (No assertion on any
/// time: only that the profile is complete and consistent.)
@Suite(.serialized) struct ProfileTests {
    static let shared = ["matmul forward", "matmul backward-data", "matmul backward-weights", "attention forward",
                         "attention backward", "encoder forward", "encoder backward", "residual copies", "lm head matmuls",
                         "cross-entropy", "lm head gradient add", "zero gradients", "all-reduce inside backward (overlap)", "gradient all-reduce (exposed)",
                         "optimizer (AdamW)", "gradient norm and clipping", "other (batches, loss sum, between kernels)"]
    /// With `distributed.exact` (the default).
    static let exact = ["exact sums: encode", "exact sums: decode"]
    static let gpt2 = ["layernorm forward", "layernorm backward", "gelu forward", "gelu backward"]
    static let llama = ["rmsnorm forward", "rmsnorm backward", "rotary forward", "rotary backward", "swiglu forward", "swiglu backward"]

    /// The profile's rows by name, after checking what holds for every family.
    static func profile(_ extra: [String], ranks: Int? = nil) throws -> [String: [String: Any]] {
        let (json, _) = try BenchTests.bench(ranks: ranks, ["--profile"] + extra)
        let profile = try #require(json["profile"] as? [String: Any], "no profile in \(json.keys.sorted())")
        let kernels = try #require(profile["kernels"] as? [[String: Any]])
        let rows = Dictionary(kernels.map { ($0["name"] as? String ?? "?", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(rows.count == kernels.count, "a row appears twice")
        let shares = kernels.map { $0["share"] as? Double ?? .nan }
        #expect(abs(shares.reduce(0, +) - 1) < 1e-6, "shares sum to \(shares.reduce(0, +))")
        #expect(shares.allSatisfy { $0 >= 0 })
        for (name, row) in rows where row["kind"] as? String != "step" {
            #expect((row["bytes"] as? Double ?? 0) > 0, "\(name): no bytes")
            #expect((row["ms"] as? Double ?? -1) >= 0, "\(name): negative time")
            if row["kind"] as? String == "gemm" {
                #expect((row["flops"] as? Double ?? 0) > 0, "\(name): no FLOPs")
                #expect(row["gflops"] != nil && row["of_peak"] != nil, "\(name): no rate")
            } else {
                #expect(row["gbs"] != nil && row["of_peak"] != nil, "\(name): no rate")
            }
        }
        for field in ["memory_copy_gbs", "memory_triad_gbs", "sgemm_gflops_per_rank", "step_ms"] {
            #expect((profile[field] as? Double ?? 0) > 0, "profile.\(field)")
        }
        return rows
    }

    @Test func gpt2HasEveryKernel() throws {
        let rows = try Self.profile([])
        #expect(Set(rows.keys) == Set(Self.shared + Self.exact + Self.gpt2), "rows: \(rows.keys.sorted())")
        // The LM head's products: forward and the two gradients, 2·BT·V·C each (BT = 512 tokens).
        let flops = try #require(rows["lm head matmuls"]?["flops"] as? Double)
        #expect(flops == Double(3 * 2 * 512 * 512 * 32))
    }

    @Test func llamaHasEveryKernel() throws {
        let rows = try Self.profile(["--set", "model.family=llama"])
        #expect(Set(rows.keys) == Set(Self.shared + Self.exact + Self.llama), "rows: \(rows.keys.sorted())")
    }

    @Test func muonHasItsOwnOptimizerRow() throws {
        let rows = try Self.profile(["--set", "model.family=llama", "--set", "training.optimizer=muon"])
        let expected = Self.shared.map { $0 == "optimizer (AdamW)" ? "optimizer (Muon and AdamW)" : $0 } + Self.exact + Self.llama
        #expect(Set(rows.keys) == Set(expected), "rows: \(rows.keys.sorted())")
    }

    @Test func floatSumsHaveNoExactRows() throws {
        let rows = try Self.profile(["--set", "distributed.exact=false"])
        #expect(Set(rows.keys) == Set(Self.shared + Self.gpt2), "rows: \(rows.keys.sorted())")
    }

    @Test func profileWithAllReduceIsRefused() throws {
        let result = try TrainerProcess.run(["bench", "configs/gpt-tiny.json", "--allreduce", "--profile"], ranks: nil, timeout: 60)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--profile profiles training steps"), "stderr: \(result.stderr)")
    }

    @Test func underMPITheAllReduceHasBytes() throws {
        let rows = try Self.profile([], ranks: 2)
        #expect((rows["gradient all-reduce (exposed)"]?["bytes"] as? Double ?? 0) > 0)
    }
}
