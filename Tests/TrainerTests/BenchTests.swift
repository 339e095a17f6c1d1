import Foundation
import Testing
import TestSupport

/// `trainer bench` runs a few in-memory steps and reports every field; it writes no checkpoint.
/// (No assertion on speed: benchmarks report numbers, tests assert behaviour.)
@Suite(.serialized) struct BenchTests {
    static let fields = ["tokens_per_s", "mfu", "flops_per_token", "ms_per_step", "sgemm_gflops_2048",
                         "sgemm_gflops_2048_all_ranks", "sgemm_model_shapes", "sgemm_correct", "openblas_core",
                         "blas_threads", "peak_rss_bytes", "memory_estimate_bytes", "memory_estimate", "ranks", "cpu",
                         "compute_ms_per_rank"]
    static let parts = ["total", "compute", "straggler_wait", "exposed_transfer", "forward", "backward", "allreduce_exposed",
                        "allreduce_total", "optimizer", "other"]

    /// Runs bench on gpt-tiny and returns its JSON object.
    static func bench(ranks: Int?, _ extra: [String] = [], environment: [String: String] = [:]) throws -> (json: [String: Any], dir: URL) {
        let dir = try TestDirectory.make("bench")
        let result = try TrainerProcess.run(["bench", "configs/gpt-tiny.json", "--steps", "3", "--json"] + TinyRun.settings(dir) + extra,
                                            ranks: ranks, timeout: 600, environment: environment)
        #expect(result.status == 0, "bench failed: \(result.stderr)")
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return (try #require(object, "not one JSON object: \(result.stdout)"), dir)
    }

    @Test func printsEveryFieldAndWritesNoCheckpoint() throws {
        let (json, dir) = try Self.bench(ranks: nil)
        for field in Self.fields { #expect(json[field] != nil, "missing \(field)") }
        let ms = try #require(json["ms_per_step"] as? [String: Double])
        for part in Self.parts { #expect(ms[part] != nil, "missing ms_per_step.\(part)") }
        #expect((json["tokens_per_s"] as? Double ?? 0) > 0)
        #expect(json["sgemm_correct"] as? Bool == true)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("run").path), "bench must not create checkpoint.dir")
    }

    @Test func underMPIRankZeroPrintsOneReport() throws {
        let (json, _) = try Self.bench(ranks: 2)
        #expect(json["ranks"] as? Int == 2)
        #expect((json["tokens_per_s"] as? Double ?? 0) > 0)
        #expect((json["compute_ms_per_rank"] as? [Double])?.count == 2)
        // The split adds up: compute + straggler wait + exposed transfer + optimizer + other = step.
        let ms = try #require(json["ms_per_step"] as? [String: Double])
        let parts = ["compute", "straggler_wait", "exposed_transfer", "optimizer", "other"].map { ms[$0] ?? .nan }
        #expect(abs(parts.reduce(0, +) - (ms["total"] ?? 0)) <= 1e-6 * (ms["total"] ?? 0) + 1e-6 || ms["other"] == 0)
    }

    /// Under mpirun without OPENBLAS_NUM_THREADS each rank takes its share of the node's cores;
    /// with too many threads for the node, one warning says so.
    @Test func ranksChooseTheirThreadsAndOversubscriptionIsWarnedOnce() throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let (json, _) = try Self.bench(ranks: 2, environment: ["OPENBLAS_NUM_THREADS": ""])
        #expect(json["blas_threads"] as? Int == max(1, cores / 2))
        let dir = try TestDirectory.make("bench-threads")
        let result = try TrainerProcess.run(["bench", "configs/gpt-tiny.json", "--steps", "1", "--json"] + TinyRun.settings(dir),
                                            ranks: 2, timeout: 600, environment: ["OPENBLAS_NUM_THREADS": "\(cores)"])
        #expect(result.status == 0, "bench failed: \(result.stderr)")
        let warnings = result.stderr.split(separator: "\n").filter { $0.contains("warning") && $0.contains("threads for 2 ranks") }
        #expect(warnings.count == 1, "stderr: \(result.stderr)")
    }

    @Test func allReduceComparesWithPlainMPI() throws {
        let result = try TrainerProcess.run(["bench", "configs/gpt-tiny.json", "--allreduce", "--json"], ranks: 2, timeout: 600)
        #expect(result.status == 0, "bench --allreduce failed: \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data((result.stdout.split(separator: "\n").last ?? "").utf8)) as? [String: Any]
        for field in ["plain_ms", "bucketed_ms", "overlapped_ms", "ratio", "bytes"] { #expect(object?[field] != nil, "missing \(field)") }
    }

    /// --finetune measures the fine-tune of the shared pre-trained gpt-tiny: its model (not the
    /// config's model section), with LoRA adapters.
    @Test func finetuneMeasuresTheFineTuneItsConfigDescribes() throws {
        let dir = try TestDirectory.make("bench-finetune")
        func run(_ extra: [String]) throws -> [String: Any] {
            let result = try TrainerProcess.run(["bench"] + extra + ["configs/finetune-instruct-tiny.json", "--steps", "1", "--json",
                                                 "--set", "finetune.init_from=\(PretrainedTiny.checkpoint.path)", "--set", "finetune.lora_r=4",
                                                 "--set", "checkpoint.dir=\(dir.path)/run"], timeout: 600)
            try #require(result.status == 0, "bench \(extra) failed: \(result.stderr)")
            return try #require(try JSONSerialization.jsonObject(with: Data((result.stdout.split(separator: "\n").last ?? "").utf8)) as? [String: Any])
        }
        let finetune = try run(["--finetune"])
        let estimate = try #require(finetune["memory_estimate"] as? [String: Double])
        #expect(estimate.keys.contains { $0.contains("LoRA adapters") }, "\(estimate.keys)")
        // The fine-tune is of gpt-tiny's model; the config's model section (the defaults, gpt-small) plays no part.
        let tiny = try Self.bench(ranks: nil).json["parameters"] as? Int
        #expect(finetune["parameters"] as? Int == tiny, "fine-tune \(finetune["parameters"] ?? "nil"), gpt-tiny \(tiny ?? 0)")
    }
}
