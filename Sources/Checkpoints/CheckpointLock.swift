import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a checkpoint directory, held by one run (rank 0) for its whole life, so
/// two runs never save, clean up or append metrics in one directory at once.
///
/// It is `flock(2)` on `<root>/.lock`, which holds the holder's host, PID and nonce as text. The
/// kernel drops the lock when the holder's file description closes — on `release()`, `deinit`, or
/// the process's death — so a lock left by a crash is free, and the next run takes it over and
/// replaces the text. flock locks belong to an open file description: a second `lock()` in the
/// same process conflicts with the first, as one from another process does.
public final class CheckpointLock: @unchecked Sendable {
    /// The lock file's path.
    public let path: String
    /// The text of the previous holder, when it died holding the lock (crash, kill); nil after a
    /// clean release or on a new directory. Say it once: `takeOverNotice`.
    public let staleHolder: String?
    private let root: String
    // Touched only by release(), which the owner calls once (or deinit does).
    private var fd: Int32

    init(fd: Int32, path: String, root: String, staleHolder: String?) {
        self.fd = fd
        self.path = path
        self.root = root
        self.staleHolder = staleHolder
        CheckpointLock.registry.insert(root)
    }

    deinit { release() }

    /// One line for the log when a dead run's lock was taken over, else nil.
    public var takeOverNotice: String? {
        staleHolder.map { "\(root): took over the lock of a run that ended without releasing it (\($0)); its unfinished saves are removed" }
    }

    /// Empties the lock file and closes it, which frees the lock. Safe to call twice.
    public func release() {
        guard fd >= 0 else { return }
        // An empty file tells the next run that this one ended cleanly (no take-over to report).
        _ = ftruncate(fd, 0)
        close(fd)
        fd = -1
        CheckpointLock.registry.remove(root)
    }

    /// The roots this process holds a lock on: there every other owner's leftovers are dead ones.
    static let registry = HeldRoots()

    /// A set of paths under a lock (NSLock: Mutex needs macOS 15).
    final class HeldRoots: @unchecked Sendable {
        private var roots: Set<String> = []
        private let lock = NSLock()
        func insert(_ root: String) { lock.lock(); roots.insert(root); lock.unlock() }
        func remove(_ root: String) { lock.lock(); roots.remove(root); lock.unlock() }
        func contains(_ root: String) -> Bool { lock.lock(); defer { lock.unlock() }; return roots.contains(root) }
    }
}

extension CheckpointStore {
    /// The lock file's name under the root.
    public static let lockFileName = ".lock"

    /// Takes the directory's exclusive lock (creating the root if needed), or throws one line
    /// naming the run that holds it and the fix. Keep the returned lock alive for the whole run.
    public func lock() throws(CheckpointError) -> CheckpointLock {
        do { try makeDirectories(root.path) } catch { throw CheckpointError(error) }
        let path = root.appendingPathComponent(Self.lockFileName).path
        let fd: Int32
        do { fd = try POSIX.openFile(path, O_RDWR | O_CREAT | O_CLOEXEC) } catch { throw CheckpointError(error) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            let holder = Self.lockText(fd)
            close(fd)
            guard code == EWOULDBLOCK else {
                throw CheckpointError(.io, path: path, "flock failed: \(String(cString: strerror(code))); put checkpoint.dir on a file system with file locks")
            }
            throw CheckpointError(.locked, path: root.path,
                "another run is using this checkpoint directory (\(holder.isEmpty ? "holder unknown" : holder)); wait for it to end or stop it, or give this run another checkpoint.dir")
        }
        let previous = Self.lockText(fd)
        let me = SaveOwner.current
        let text = "host \(me.host) pid \(me.pid) run \(me.nonce ?? "")\n"
        do throws(SystemCallError) {
            guard ftruncate(fd, 0) == 0 else { throw SystemCallError(operation: "ftruncate", path: path, code: errno) }
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw SystemCallError(operation: "lseek", path: path, code: errno) }
            try POSIX.writeAll(fd, Array(text.utf8), path: path)
            try POSIX.sync(fd, path: path)
        } catch {
            close(fd)
            throw CheckpointError(error)
        }
        return CheckpointLock(fd: fd, path: path, root: root.path, staleHolder: previous.isEmpty ? nil : previous)
    }

    /// The lock file's text, one line, at most 256 bytes.
    private static func lockText(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return "" }
        return String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "\n", with: " ")
    }
}
