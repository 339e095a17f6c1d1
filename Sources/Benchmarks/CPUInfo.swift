import Foundation

/// What the bench reports about the CPU, from /proc/cpuinfo.
public enum CPUInfo {
    /// e.g. "AMD EPYC, 2 cores, AVX2" ("unknown CPU" where /proc/cpuinfo cannot be read).
    public static var modelName: String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        let lines = text.split(separator: "\n")
        func value(_ key: String) -> String? {
            lines.first { $0.hasPrefix(key) }.flatMap { $0.split(separator: ":", maxSplits: 1).last }
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let flags = Set((value("flags") ?? "").split(separator: " "))
        let vector = flags.contains("avx512f") ? "AVX-512" : flags.contains("avx2") ? "AVX2" : "no AVX2"
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return "\(value("model name") ?? "unknown CPU"), \(cores) core\(cores == 1 ? "" : "s"), \(vector)"
    }
}
