import Foundation
import Testing
import TestSupport

/// launch/netem-bench.sh, briefly: two namespace hosts on a bridge, one tbf rate (1 Gbit/s),
/// gpt-tiny's all-reduce. Needs root, tc and network namespaces; skipped with the reason otherwise.
@Suite(.serialized) struct NetemBenchTests {
    /// Why the harness cannot run here, or nil.
    static let unavailable: String? = {
        if getuid() != 0 { return "launch/netem-bench.sh needs root for ip netns and tc (uid \(getuid()))" }
        if !FileManager.default.isExecutableFile(atPath: "/usr/sbin/tc") { return "tc not found at /usr/sbin/tc (install iproute2)" }
        return NamespacePair.unavailable
    }()

    /// The network namespaces whose names the harness uses (nbPID-h0, nbPID-sw, ...).
    static func harnessNamespaces() throws -> Set<String> {
        let list = try NamespacePair.execute([NamespacePair.ip, "netns", "list"], timeout: 30)
        return Set(list.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0.hasPrefix("nb") && $0.contains("-") })
    }

    @Test(.enabled(if: unavailable == nil, Comment(rawValue: unavailable ?? "")))
    func shapedLinkIsMeasuredFittedAndCleanedUp() throws {
        let dir = try TestDirectory.make("netem-bench")
        let out = dir.appendingPathComponent("results.jsonl")
        let before = try Self.harnessNamespaces()
        let script = TrainerProcess.root.appendingPathComponent("launch/netem-bench.sh").path
        let result = try NamespacePair.execute(
            ["/bin/bash", script, "--hosts", "2", "--rates", "1", "--configs", "gpt-tiny", "--reps", "3", "--no-step", "--no-han", "--out", out.path],
            timeout: 300, environment: ["TRAINER": TrainerProcess.executable.path])
        #expect(result.status == 0, "netem-bench failed (\(result.status)):\n\(result.stdout)\n\(result.stderr)")
        // Namespaces, bridge and veths are gone (the harness's trap), none left beside those before.
        #expect(try Self.harnessNamespaces() == before)

        // netem is either used or skipped with the kernel's reason, never silently.
        let netemUsable = !result.stderr.contains("netem delays skipped")
        if !netemUsable { #expect(result.stderr.contains("qdisc")) }

        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        let records = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(records.count == 2, "tuned and nbc-3 all-reduce records: \(lines)")
        let tuned = try #require(records.first { $0["coll"] as? String == "tuned" })
        #expect(tuned["rate_gbit"] as? Int == 1 && tuned["ranks"] as? Int == 2)
        let bench = try #require(tuned["bench"] as? [String: Any])
        #expect(bench["bytes"] as? Int == 171_520)
        let sweep = try #require(bench["sweep"] as? [[String: Any]])
        #expect(sweep.map { $0["bytes"] as? Int } == [8, 4096, 65536, 1_048_576, 8_388_608])
        // The link is shaped: 8 MiB reduced by Rabenseifner on 2 ranks crosses the link as 8 MiB per
        // direction, which 1 Gbit/s cannot carry faster than 67 ms (10% allowed for tbf's burst).
        let ms8 = try #require(sweep.last?["ms"] as? Double)
        #expect(8_388_608 * 8 / (ms8 / 1000) <= 1.1e9, "8 MiB in \(ms8) ms is faster than 1 Gbit/s: tbf did not shape the link")

        // The fit's table names the link and prints α, β and every fitted point's residual.
        #expect(result.stdout.contains("tbf 1 Gbit/s, netem delay none, 2 ranks: α = "), "\(result.stdout)")
        #expect(result.stdout.contains("MPI_Allreduce 8.0 MiB") && result.stdout.contains("GradientSync overlapped gpt-tiny [nbc-3]"))
    }
}
