import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who made a save's temporary names (`.tmp-step-…`, `.latest.tmp-…`, `.old-step-…`): host, PID
/// and a nonce drawn once per process, so that a run removes only its own leftovers or those of a
/// process that is certainly dead — never another live run's save in progress.
struct SaveOwner: Equatable, Sendable {
    /// The machine's host name, without '/' or spaces (they would break the names it is part of).
    var host: String
    /// The process id on that host.
    var pid: Int32
    /// Random per process, so a reused PID is not taken for its predecessor; nil in names written
    /// before owners carried one (`.tmp-step-NNNNNNN-PID`).
    var nonce: String?

    /// This process.
    static let current = SaveOwner(host: hostName(), pid: getpid(), nonce: String(UInt32.random(in: 0...UInt32.max), radix: 16))

    /// The suffix temporary names carry: `HOST-PID-NONCE`.
    var tag: String { "\(host)-\(pid)-\(nonce ?? "")" }

    /// The owner encoded by `tag` (`HOST-PID-NONCE`, or a bare `PID` from older saves, which were
    /// always made on the host that wrote them).
    static func parse(tag: String) -> SaveOwner? {
        if let pid = Int32(tag) { return SaveOwner(host: current.host, pid: pid, nonce: nil) }
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]), !parts[parts.count - 1].isEmpty else { return nil }
        return SaveOwner(host: parts.dropLast(2).joined(separator: "-"), pid: pid, nonce: String(parts[parts.count - 1]))
    }

    /// True only when the owner ran on this host and no process with its PID exists any more.
    /// An owner on another host cannot be checked from here, so it counts as alive.
    var isCertainlyDead: Bool {
        guard host == SaveOwner.current.host, pid > 0 else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let name = String(decoding: bytes, as: UTF8.self).map { $0 == "/" || $0 == " " || $0 == "\n" ? "_" : $0 }
        return name.isEmpty ? "localhost" : String(name.prefix(64))
    }
}
