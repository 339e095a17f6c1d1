import Foundation

/// An open file read at offsets with pread(2); errors name the file.
final class FileReader {
    /// The file's path, for messages.
    let path: String
    private let fd: Int32

    /// Opens `path` read-only.
    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw DataError("cannot open \(path): \(String(cString: strerror(errno))); check that it exists and is readable")
        }
    }

    deinit { close(fd) }

    /// Reads up to `count` bytes at `offset` into `destination`; fewer only at the end of the file.
    func read(into destination: UnsafeMutableRawPointer, count: Int, at offset: Int) throws -> Int {
        var done = 0
        while done < count {
            let n = pread(fd, destination + done, count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw DataError("cannot read \(path) at byte \(offset + done): \(String(cString: strerror(errno))); check the disk and the file")
            }
            if n == 0 { break }
            done += n
        }
        return done
    }
}

/// A file written sequentially with write(2) and at offsets with pwrite(2); errors name the file.
final class FileWriter {
    /// The file's path, for messages.
    let path: String
    private let fd: Int32

    /// Opens `path` for writing, creating it (and emptying it when `truncate`).
    init(path: String, truncate: Bool) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0o644)
        guard fd >= 0 else {
            throw DataError("cannot create \(path): \(String(cString: strerror(errno))); check free space and permissions")
        }
    }

    deinit { close(fd) }

    /// Writes `count` bytes from `source` at `offset`.
    func write(_ source: UnsafeRawPointer, count: Int, at offset: Int) throws {
        var done = 0
        while done < count {
            let n = pwrite(fd, source + done, count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw DataError("cannot write \(path): \(String(cString: strerror(errno))); check free space and permissions")
            }
            done += n
        }
    }

    /// Sets the file's length, so that ranks can fill it at offsets.
    func resize(to length: Int) throws {
        guard ftruncate(fd, off_t(length)) == 0 else {
            throw DataError("cannot size \(path) to \(length) bytes: \(String(cString: strerror(errno))); check free space")
        }
    }

    /// Flushes the file to disk.
    func sync() throws {
        guard fsync(fd) == 0 else {
            throw DataError("cannot flush \(path) to disk: \(String(cString: strerror(errno))); check the disk")
        }
    }
}
