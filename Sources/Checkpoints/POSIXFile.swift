#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call, kept as errno so that callers can phrase their own error around it.
struct SystemCallError: Error {
    let operation: String
    let path: String
    let code: Int32

    /// The OS's own text for the errno, e.g. "No space left on device".
    var osText: String { String(cString: strerror(code)) }
}

/// Thin wrappers over POSIX file calls: Foundation hides errno, and the checkpoint errors must
/// quote the OS's reason (ENOSPC, EACCES, ...) and fsync files and directories explicitly.
enum POSIX {
    /// Opens `path`, retrying on EINTR.
    static func openFile(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(SystemCallError) -> Int32 {
        while true {
            let fd = open(path, flags, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw SystemCallError(operation: "open", path: path, code: errno) }
        }
    }

    /// Closes `fd`; a failing close can mean lost buffered data (e.g. on NFS), so it is reported.
    static func closeFile(_ fd: Int32, path: String) throws(SystemCallError) {
        if close(fd) != 0 && errno != EINTR {
            throw SystemCallError(operation: "close", path: path, code: errno)
        }
    }

    /// Writes every byte of `bytes`, looping over short writes (Linux caps one write near 2 GiB).
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(SystemCallError) {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = write(fd, p, min(left, 1 << 30))
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(operation: "write", path: path, code: errno)
            }
            if n == 0 { throw SystemCallError(operation: "write", path: path, code: EIO) }
            p += n
            left -= n
        }
    }

    /// Writes every byte of `bytes`.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SystemCallError) {
        // Array.withUnsafeBytes rethrows untyped errors; carry the typed one across in a Result.
        let outcome: Result<Void, SystemCallError> = bytes.withUnsafeBytes { raw in
            Result { () throws(SystemCallError) in try writeAll(fd, raw, path: path) }
        }
        try outcome.get()
    }

    /// Reads up to `buffer.count` bytes; 0 means end of file.
    static func readSome(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws(SystemCallError) -> Int {
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw SystemCallError(operation: "read", path: path, code: errno) }
        }
    }

    /// Flushes `fd` to stable storage.
    static func sync(_ fd: Int32, path: String) throws(SystemCallError) {
        if fsync(fd) != 0 { throw SystemCallError(operation: "fsync", path: path, code: errno) }
    }

    /// Opens `path` read-only and fsyncs it; for directories this persists renames inside them.
    static func syncPath(_ path: String) throws(SystemCallError) {
        let fd = try openFile(path, O_RDONLY)
        defer { close(fd) }
        try sync(fd, path: path)
    }

    /// Renames atomically within one file system.
    static func renamePath(_ from: String, _ to: String) throws(SystemCallError) {
        if rename(from, to) != 0 { throw SystemCallError(operation: "rename to \(to)", path: from, code: errno) }
    }

    /// Creates one directory (not its parents).
    static func makeDirectory(_ path: String) throws(SystemCallError) {
        if mkdir(path, 0o755) != 0 { throw SystemCallError(operation: "mkdir", path: path, code: errno) }
    }

    /// The size of a regular file, or nil when `path` is missing or not a regular file.
    static func regularFileSize(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(st.st_size)
    }

    /// Whether `path` exists and is a directory (following symlinks).
    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether anything (file, directory, dangling symlink) exists at `path`.
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }
}
