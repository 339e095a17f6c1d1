import Foundation

/// Appends scalar summaries to a new TensorBoard event file in a directory, named as TensorFlow
/// names them (`events.out.tfevents.<seconds>.<host>.<pid>`), so that `tensorboard --logdir`
/// finds it. Each writer starts its own file with a `file_version` event: a resumed run gets a
/// second file beside the first, which TensorBoard reads in name order as one run, and marks the
/// step it restarted from so that TensorBoard drops what the earlier attempt logged after it.
public final class EventFileWriter {
    /// The file being written.
    public let url: URL
    private let handle: FileHandle

    /// The prefix of every event file name.
    public static let filePrefix = "events.out.tfevents."

    /// Creates the directory if needed and a new event file in it; `restartStep` is the first step a
    /// resumed run logs again. Throws a message naming the file.
    public init(directory: URL, restartStep: Int? = nil, wallTime: Double = Date().timeIntervalSince1970) throws {
        let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
        let digits = String(max(0, Int(wallTime)))
        let seconds = String(repeating: "0", count: max(0, 10 - digits.count)) + digits
        let base = Self.filePrefix + seconds + "." + (host.isEmpty ? "localhost" : host) + ".\(getpid())"
        var name = base
        var n = 1
        while FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) {
            name = base + ".\(n)"
            n += 1
        }
        url = directory.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw CocoaError(.fileWriteNoPermission)
            }
            handle = try FileHandle(forWritingTo: url)
        } catch {
            throw TensorBoardError("\(url.path): cannot create the TensorBoard event file (\(error.localizedDescription)); choose a writable checkpoint.dir")
        }
        var first = [Event(wallTime: wallTime, step: 0, content: .fileVersion(Event.fileVersion))]
        if let restartStep { first.append(Event(wallTime: wallTime, step: Int64(restartStep), content: .sessionStart)) }
        try write(first)
    }

    deinit { try? handle.close() }

    /// Writes `scalars` as one event of `step`; nothing when the list is empty.
    public func add(_ scalars: [Event.Scalar], step: Int, wallTime: Double = Date().timeIntervalSince1970) throws {
        guard !scalars.isEmpty else { return }
        try write([Event(wallTime: wallTime, step: Int64(step), content: .scalars(scalars))])
    }

    /// Frames and appends `events` with one write, so a reader never sees half of a step's values
    /// for long.
    public func write(_ events: [Event]) throws {
        var bytes: [UInt8] = []
        for e in events { bytes += TFRecord.frame(e.encoded()) }
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw TensorBoardError("\(url.path): cannot write the TensorBoard event file (\(error.localizedDescription))")
        }
    }

    /// Removes the event files directly inside `directory` (those of an earlier run in a directory
    /// that starts afresh); returns how many.
    @discardableResult
    public static func removeEventFiles(in directory: URL) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var removed = 0
        for name in names where name.hasPrefix(filePrefix) {
            if (try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))) != nil { removed += 1 }
        }
        return removed
    }
}

/// A failure to write an event file, with a message for the user.
public struct TensorBoardError: Error, CustomStringConvertible {
    /// What went wrong and what to do.
    public let description: String
    public init(_ description: String) { self.description = description }
}
