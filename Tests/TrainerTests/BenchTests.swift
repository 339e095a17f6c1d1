import Foundation
import Testing

/// `trainer bench` runs a few in-memory steps and reports every field; it writes no checkpoint.
/// (No assertion on speed: benchmarks report numbers, tests assert behaviour.)
@Suite(.serialized) struct BenchTests {
    static let fields = ["tokens_per_s", "mfu", "flops_per_token", "ms_per_step", "sgemm_gflops_2048",
                         "sgemm_gflops_2048_all_ranks", "sgemm_model_shapes", "sgemm_correct", "openblas_core",
                         "blas_threads", "peak_rss_bytes", "memory_estimate_bytes", "ranks"]
    static let parts = ["total", "forward", "backward", "allreduce_exposed", "allreduce_total", "optimizer", "idle"]

    /// Runs bench on gpt-tiny and returns its JSON object.
    static func bench(ranks: Int?, _ extra: [String] = []) throws -> (json: [String: Any], dir: URL) {
        let dir = try TrainerProcess.temporaryDirectory("bench")
        let result = try TrainerProcess.run(["bench", "configs/gpt-tiny.json", "--steps", "3", "--json"] + TinyRun.settings(dir) + extra,
                                            ranks: ranks, timeout: 600)
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
    }

    @Test func allReduceComparesWithPlainMPI() throws {
        let result = try TrainerProcess.run(["bench", "configs/gpt-tiny.json", "--allreduce", "--json"], ranks: 2, timeout: 600)
        #expect(result.status == 0, "bench --allreduce failed: \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data((result.stdout.split(separator: "\n").last ?? "").utf8)) as? [String: Any]
        for field in ["plain_ms", "bucketed_ms", "overlapped_ms", "ratio", "bytes"] { #expect(object?[field] != nil, "missing \(field)") }
    }
}
