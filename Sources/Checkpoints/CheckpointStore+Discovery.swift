import Foundation

extension CheckpointStore {
    /// The step directories under the root, oldest first; [] when the root does not exist yet.
    /// Hidden leftovers (`.tmp-*`, `.old-*`) and anything not named step-NNNNNNN are ignored.
    public func list() throws(CheckpointError) -> [(step: Int, directory: URL)] {
        guard POSIX.exists(root.path) else { return [] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: root.path)
        } catch {
            throw CheckpointError(.io, path: root.path, "cannot list the checkpoint directory (\(CheckpointFileErrorText.reason(error))); check checkpoint.dir")
        }
        return names.compactMap { n -> (step: Int, directory: URL)? in
            guard let step = Self.step(fromDirectoryName: n) else { return nil }
            let url = root.appendingPathComponent(n, isDirectory: true)
            return POSIX.isDirectory(url.path) ? (step, url) : nil
        }.sorted { $0.step < $1.step }
    }

    /// The directory name recorded in `latest`, or nil when the file is absent or does not hold one.
    public func latestName() -> String? {
        guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(Self.latestFileName).path),
              let text = String(data: data, encoding: .utf8) else { return nil }
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return Self.step(fromDirectoryName: name) != nil ? name : nil
    }

    /// Reads `directory`/state.json and recomputes the SHA-256 of every file it lists.
    public func validate(directory: URL) throws(CheckpointError) -> CheckpointInfo {
        try Self.validate(directory: directory)
    }

    /// Reads `directory`/state.json and recomputes the SHA-256 of every file it lists; the error
    /// names the first file that is missing or does not match.
    public static func validate(directory: URL) throws(CheckpointError) -> CheckpointInfo {
        let dir = directory.standardizedFileURL
        let statePath = dir.appendingPathComponent(stateFileName).path
        guard POSIX.regularFileSize(statePath) != nil, let state = FileManager.default.contents(atPath: statePath) else {
            throw CheckpointError(.missingFile, path: statePath, "missing; the checkpoint was not written completely or this is not a checkpoint directory")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: state)) as? [String: Any] else {
            throw CheckpointError(.invalidState, path: statePath, "is not a JSON object; the file is corrupted")
        }
        guard let files = object["files"] as? [String: String], files.values.allSatisfy(FileHashing.isDigest),
              files.keys.allSatisfy(isPlainFileName) else {
            throw CheckpointError(.invalidState, path: statePath,
                                  "has no valid \"files\" map of file name to SHA-256; the file is corrupted or was not written by trainer")
        }
        let nameStep = step(fromDirectoryName: dir.lastPathComponent)
        // A "step" that is there but not a whole count ("abc", 1.5, null) marks the file as damaged,
        // so that discovery falls back to the previous checkpoint instead of failing on it later.
        if let value = object["step"], value as? Int == nil {
            throw CheckpointError(.invalidState, path: statePath, "has \"step\": \(value is NSNull ? "null" : "\(value)"), not a whole step count; the file is damaged")
        }
        let stateStep = object["step"] as? Int
        guard let step = stateStep ?? nameStep else {
            throw CheckpointError(.invalidState, path: statePath, "has no \"step\" and the directory is not named step-NNNNNNN")
        }
        if let nameStep, let stateStep, nameStep != stateStep {
            throw CheckpointError(.invalidState, path: statePath, "says step \(stateStep) but the directory is named for step \(nameStep)")
        }
        for (name, expected) in files.sorted(by: { $0.key < $1.key }) {
            let path = dir.appendingPathComponent(name).path
            guard POSIX.regularFileSize(path) != nil else {
                throw CheckpointError(.missingFile, path: path, "missing but listed in \(stateFileName); the checkpoint is incomplete")
            }
            let actual: String
            do { actual = try FileHashing.sha256(path: path) } catch { throw CheckpointError(error) }
            guard actual == expected else {
                throw CheckpointError(.corrupted, path: path, "SHA-256 mismatch; the file is corrupted or partially written")
            }
        }
        return CheckpointInfo(step: step, directory: dir, files: files, state: state)
    }

    /// The newest checkpoint that validates: `latest`'s target first, then older step directories,
    /// newest first (all of them, newest first, when `latest` is missing or names nothing usable).
    /// Directories newer than `latest`'s target are not considered. Each skipped directory produces a
    /// warning naming the failing file. Returns nil when none validates.
    public func latestValid(warn: (String) -> Void) -> CheckpointInfo? {
        let all: [(step: Int, directory: URL)]
        do { all = try list() } catch {
            warn("\(error)")
            return nil
        }
        var candidates = all.reversed().map(\.self)
        if let name = latestName(), let latestStep = Self.step(fromDirectoryName: name),
           all.contains(where: { $0.step == latestStep }) {
            candidates = candidates.filter { $0.step <= latestStep }
        } else if POSIX.exists(root.appendingPathComponent(Self.latestFileName).path) {
            warn("\(root.appendingPathComponent(Self.latestFileName).path): does not name an existing step directory; trying the newest checkpoints instead")
        }
        for c in candidates {
            do {
                return try validate(directory: c.directory)
            } catch {
                warn("skipping checkpoint \(c.directory.path): \(error)")
            }
        }
        return nil
    }

    /// Resolves a user-given checkpoint path: a step directory (one holding state.json) is validated;
    /// any other directory is taken as a run root and its newest valid checkpoint is returned.
    public static func resolve(path: URL, warn: (String) -> Void = { _ in }) throws(CheckpointError) -> CheckpointInfo {
        let url = path.standardizedFileURL
        guard POSIX.exists(url.path) else {
            throw CheckpointError(.notFound, path: url.path, "does not exist; pass a step directory (…/step-NNNNNNN) or a checkpoint.dir")
        }
        guard POSIX.isDirectory(url.path) else {
            throw CheckpointError(.notFound, path: url.path, "is not a directory; pass a step directory (…/step-NNNNNNN) or a checkpoint.dir, not a file inside one")
        }
        if POSIX.exists(url.appendingPathComponent(stateFileName).path) {
            return try validate(directory: url)
        }
        guard let info = CheckpointStore(root: url).latestValid(warn: warn) else {
            throw CheckpointError(.notFound, path: url.path, "holds no valid checkpoint (no step-NNNNNNN directory whose files match state.json)")
        }
        return info
    }
}
