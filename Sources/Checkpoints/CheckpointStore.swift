import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The checkpoints of one run under a root directory (config `checkpoint.dir`):
///
///     <root>/step-0001000/       model.safetensors, optimizer.safetensors, ..., state.json
///     <root>/latest              text file holding the newest directory's name, e.g. "step-0001000\n"
///     <root>/.tmp-step-...-<owner> a save in progress (or left by a crash), owner = HOST-PID-NONCE
///     <root>/.lock               the run's exclusive lock (`lock()`), holding its host and PID
///
/// `latest` is a one-line text file rather than a symlink so that it survives copying and archiving
/// tools and file systems without symlinks; it is replaced by writing a temporary file and renaming it.
/// state.json is the caller's JSON object plus "files": {name: SHA-256 hex} for every other file.
/// Only one process (rank 0) may save into a root at a time; `lock()` makes sure of it. A save removes
/// only the leftovers it may: its own process's, those of a dead process on this host, and, while this
/// process holds the lock, everyone's (the lock is exclusive, so their owners are gone).
public struct CheckpointStore: Sendable {
    /// The run's checkpoint root.
    public let root: URL

    /// The name of the file that records the newest checkpoint.
    public static let latestFileName = "latest"
    /// The name of the state file inside each step directory.
    public static let stateFileName = "state.json"
    /// The largest step a 7-digit directory name can hold.
    public static let maxStep = 9_999_999

    /// A store rooted at `root`; nothing is created until the first `save`.
    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// "step-NNNNNNN" for `step` (7 digits, zero-padded).
    public static func directoryName(step: Int) -> String {
        let digits = String(step)
        return "step-" + String(repeating: "0", count: max(0, 7 - digits.count)) + digits
    }

    /// The step encoded in a directory name of the form "step-NNNNNNN", or nil.
    public static func step(fromDirectoryName name: String) -> Int? {
        guard name.hasPrefix("step-") else { return nil }
        let digits = name.dropFirst(5)
        guard digits.count == 7, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }

    /// The directory a checkpoint of `step` lives in.
    public func directory(step: Int) -> URL {
        root.appendingPathComponent(Self.directoryName(step: step), isDirectory: true)
    }

    /// Saves a checkpoint of `step`: each writer writes its file into a temporary directory, every file
    /// is hashed and fsynced, state.json (= `state` + "files") is written, and the directory is renamed
    /// to `step-NNNNNNN` (replacing an older save of the same step only once the new one is complete);
    /// then `latest` is pointed at it. On failure, earlier checkpoints and `latest` are left as they were
    /// and the temporary directory is removed. `state` must be a JSON object without a "files" key.
    @discardableResult
    public func save(step: Int, files: [(name: String, write: (URL) throws -> Void)], state: Data) throws(CheckpointError) -> CheckpointInfo {
        let name = Self.directoryName(step: step)
        var stateObject = try checkedArguments(step: step, names: files.map(\.name), state: state)
        do { try makeDirectories(root.path) } catch { throw CheckpointError(error) }
        removeLeftovers()

        let pid = SaveOwner.current.tag
        let tmp = root.appendingPathComponent(".tmp-\(name)-\(pid)", isDirectory: true)
        let final = root.appendingPathComponent(name, isDirectory: true)
        let info: CheckpointInfo
        do throws(CheckpointError) {
            do { try POSIX.makeDirectory(tmp.path) } catch { throw CheckpointError(error) }
            var hashes: [String: String] = [:]
            for file in files {
                let url = tmp.appendingPathComponent(file.name)
                do {
                    try file.write(url)
                } catch {
                    throw CheckpointError(.writerFailed, path: url.path, "writing the checkpoint failed: \(CheckpointFileErrorText.reason(error)); free disk space or choose a writable checkpoint.dir")
                }
                guard POSIX.regularFileSize(url.path) != nil else {
                    throw CheckpointError(.writerFailed, path: url.path, "the writer for \(file.name) returned without creating the file")
                }
                do { hashes[file.name] = try FileHashing.sha256(path: url.path, sync: true) } catch { throw CheckpointError(error) }
            }
            stateObject["files"] = hashes
            let stateBytes = try Self.serialize(stateObject, path: tmp.appendingPathComponent(Self.stateFileName).path)
            do throws(SystemCallError) {
                try Self.writeDurably(stateBytes, to: tmp.appendingPathComponent(Self.stateFileName).path)
                try POSIX.syncPath(tmp.path)
                try install(tmp: tmp, final: final, pid: pid)
            } catch {
                throw CheckpointError(error)
            }
            info = CheckpointInfo(step: step, directory: final, files: hashes, state: Data(stateBytes))
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
        do { try writeLatest(name, pid: pid) } catch { throw CheckpointError(error) }
        return info
    }

    /// Checks the step, file names and state before anything touches the disk; returns the parsed state.
    private func checkedArguments(step: Int, names: [String], state: Data) throws(CheckpointError) -> [String: Any] {
        let here = directory(step: max(0, min(step, Self.maxStep))).path
        guard (0...Self.maxStep).contains(step) else {
            throw CheckpointError(.invalidArgument, path: root.path, "step \(step) is outside 0...\(Self.maxStep)")
        }
        var seen = Set<String>()
        for n in names {
            guard Self.isPlainFileName(n), n != Self.stateFileName, seen.insert(n).inserted else {
                throw CheckpointError(.invalidArgument, path: here,
                                      "file name \"\(n)\" is unusable: names must be unique, non-empty, without '/', not start with '.', and not be \(Self.stateFileName)")
            }
        }
        guard let object = (try? JSONSerialization.jsonObject(with: state)) as? [String: Any] else {
            throw CheckpointError(.invalidArgument, path: here, "the state passed to save is not a JSON object")
        }
        guard object["files"] == nil else {
            throw CheckpointError(.invalidArgument, path: here, "the state passed to save already has a \"files\" field; the store adds it")
        }
        if let s = object["step"] as? Int, s != step {
            throw CheckpointError(.invalidArgument, path: here, "the state says step \(s) but save was asked for step \(step)")
        }
        return object
    }

    /// A name that stays inside its directory and is not one of the store's hidden names.
    static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && !name.contains("/") && !name.contains("\0")
    }

    /// state.json's bytes: sorted keys and pretty printing so that diffs and eyes can read it.
    static func serialize(_ object: [String: Any], path: String) throws(CheckpointError) -> [UInt8] {
        guard JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        else {
            throw CheckpointError(.invalidArgument, path: path, "the state cannot be serialized as JSON")
        }
        return [UInt8](data) + [UInt8(ascii: "\n")]
    }

    /// Creates or truncates `path`, writes `bytes`, fsyncs and closes it.
    static func writeDurably(_ bytes: [UInt8], to path: String) throws(SystemCallError) {
        let fd = try POSIX.openFile(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC)
        do throws(SystemCallError) {
            try POSIX.writeAll(fd, bytes, path: path)
            try POSIX.sync(fd, path: path)
        } catch {
            close(fd)
            throw error
        }
        try POSIX.closeFile(fd, path: path)
    }

    /// Moves the finished temporary directory into place. An existing directory of the same step is
    /// moved aside first and deleted only after the new one is in; on failure it is moved back.
    private func install(tmp: URL, final: URL, pid: String) throws(SystemCallError) {
        guard POSIX.exists(final.path) else {
            try POSIX.renamePath(tmp.path, final.path)
            try POSIX.syncPath(root.path)
            return
        }
        let old = root.appendingPathComponent(".old-\(final.lastPathComponent)-\(pid)", isDirectory: true)
        try POSIX.renamePath(final.path, old.path)
        do {
            try POSIX.renamePath(tmp.path, final.path)
        } catch {
            try? POSIX.renamePath(old.path, final.path)
            throw error
        }
        try POSIX.syncPath(root.path)
        // A failure here only leaves garbage, which the next save removes.
        try? FileManager.default.removeItem(at: old)
    }

    /// Points `latest` at `name` atomically: temporary file, fsync, rename, fsync of the root.
    private func writeLatest(_ name: String, pid: String) throws(SystemCallError) {
        let tmp = root.appendingPathComponent(".latest.tmp-\(pid)").path
        do throws(SystemCallError) {
            try Self.writeDurably(Array((name + "\n").utf8), to: tmp)
            try POSIX.renamePath(tmp, root.appendingPathComponent(Self.latestFileName).path)
            try POSIX.syncPath(root.path)
        } catch {
            unlink(tmp)
            throw error
        }
    }

    /// Removes what crashed saves left: `.tmp-*` directories and files, and `.old-step-*` directories,
    /// except that an `.old-` whose step directory is missing (crash mid-replace) is moved back —
    /// each only when `mayRemove` says its owner can no longer be saving.
    private func removeLeftovers() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return }
        let locked = CheckpointLock.registry.contains(root.path)
        for n in names where mayRemove(n, holdingLock: locked) {
            let url = root.appendingPathComponent(n)
            if n.hasPrefix(".tmp-") || n.hasPrefix(".latest.tmp-") {
                try? FileManager.default.removeItem(at: url)
            } else if n.hasPrefix(".old-step-") {
                let stepName = String(n.dropFirst(5).prefix(12))
                let target = root.appendingPathComponent(stepName).path
                if Self.step(fromDirectoryName: stepName) != nil, !POSIX.exists(target) {
                    try? POSIX.renamePath(url.path, target)
                } else {
                    try? FileManager.default.removeItem(at: url)
                }
            }
        }
    }

    /// Whether leftover `name` belongs to this process, to a dead one, or (`holdingLock`) to anyone
    /// but a live lock holder; names of no known form are left alone.
    func mayRemove(_ name: String, holdingLock: Bool) -> Bool {
        let tag: Substring
        if name.hasPrefix(".latest.tmp-") {
            tag = name.dropFirst(".latest.tmp-".count)
        } else if name.hasPrefix(".tmp-step-") || name.hasPrefix(".old-step-") {
            // ".tmp-" or ".old-", then "step-NNNNNNN-", then the owner.
            tag = name.dropFirst(5 + 13)
        } else {
            return false
        }
        guard let owner = SaveOwner.parse(tag: String(tag)) else { return holdingLock }
        return holdingLock || owner == SaveOwner.current || owner.isCertainlyDead
    }

    /// mkdir -p with errno reporting (FileManager's errors lose the OS's reason on Linux).
    func makeDirectories(_ path: String) throws(SystemCallError) {
        if POSIX.isDirectory(path) { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try makeDirectories(parent) }
        do {
            try POSIX.makeDirectory(path)
        } catch {
            if error.code == EEXIST {
                if POSIX.isDirectory(path) { return }
                // Say "Not a directory" rather than "File exists": a regular file sits where a directory must be.
                throw SystemCallError(operation: "mkdir", path: path, code: ENOTDIR)
            }
            throw error
        }
    }
}
