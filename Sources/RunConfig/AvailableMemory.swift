import Foundation
import GPT

/// How much memory a new job can use on this machine: MemAvailable from /proc/meminfo, lowered to
/// what the process's memory cgroup still allows (limit − usage + reclaimable page cache) when the
/// cgroup is limited, as in containers and batch schedulers.
public struct AvailableMemory: Sendable, Equatable {
    /// Bytes available.
    public let bytes: Int
    /// Where the figure came from, for messages: "MemAvailable" or the cgroup file.
    public let source: String

    /// A figure of `bytes` read from `source`.
    public init(bytes: Int, source: String) {
        self.bytes = bytes
        self.source = source
    }

    /// The current figure, or nil where /proc/meminfo cannot be read (not Linux).
    public static func current() -> AvailableMemory? {
        guard let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
              let kib = field(meminfo, "MemAvailable:") ?? field(meminfo, "MemTotal:"),
              let bytes = CheckedSize.product([kib, 1024])
        else { return nil }
        var best = AvailableMemory(bytes: bytes, source: "MemAvailable in /proc/meminfo")
        for limit in cgroupLimits() where limit.bytes < best.bytes { best = limit }
        return best
    }

    /// The value in kB of a /proc/meminfo line such as "MemAvailable:   22471916 kB".
    static func field(_ text: String, _ name: String) -> Int? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    /// Room left in the cgroup v2 (memory.max) or v1 (memory.limit_in_bytes) limits that apply.
    static func cgroupLimits() -> [AvailableMemory] {
        var out: [AvailableMemory] = []
        let v2 = "/sys/fs/cgroup", v1 = "/sys/fs/cgroup/memory"
        for (dir, limitFile, usageFile, cacheKey) in [(v2, "memory.max", "memory.current", "inactive_file"),
                                                      (v1, "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file")] {
            guard let limit = number(dir + "/" + limitFile), limit < 1 << 60, let usage = number(dir + "/" + usageFile) else { continue }
            let stat = (try? String(contentsOfFile: dir + "/memory.stat", encoding: .utf8)) ?? ""
            let cache = stat.split(separator: "\n").first { $0.hasPrefix(cacheKey + " ") }.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) } ?? 0
            out.append(AvailableMemory(bytes: max(0, limit - max(0, usage - cache)), source: "the memory cgroup's \(dir)/\(limitFile)"))
        }
        return out
    }

    /// A file holding one whole number ("max" and anything else unparsable give nil).
    private static func number(_ path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
