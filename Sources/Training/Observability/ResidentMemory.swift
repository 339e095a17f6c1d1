import Foundation

/// This process's resident memory, for the start-up estimate and `trainer bench`.
public enum ResidentMemory {
    /// Resident bytes now (Linux /proc/self/statm; 0 where it cannot be read).
    public static func current() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The largest resident size this process has had (Linux ru_maxrss is in KiB).
    public static func peak() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}
