import Foundation
import RunConfig

/// Puts a resumed run's metrics.jsonl back in the state of the checkpoint it resumes from, before
/// it appends: a line cut off mid-write by a crash would otherwise be glued to the next record, and
/// the records a crashed run logged past its last checkpoint would stand beside the ones that
/// replace them, so `trainer report` would fail or read the dead run's last validation loss.
enum MetricsRepair {
    /// Drops from `url` every line that is not a whole metrics record (a torn write) and every
    /// record of step `resumedStep` or later (steps are 0-based: a checkpoint after N steps logged
    /// steps up to N - 1). Rewrites the file only when something was dropped, by a rename, so a
    /// crash here leaves the old file or the new one. Returns what it did, or nil when nothing.
    static func repair(_ url: URL, resumedStep: Int) throws -> String? {
        guard let data = FileManager.default.contents(atPath: url.path), !data.isEmpty else { return nil }
        var kept = Data(), torn = 0, later = 0
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        // A last line without its newline is torn even when it parses (a number cut short does).
        if data.last != UInt8(ascii: "\n") {
            lines.removeLast()
            torn += 1
        }
        for line in lines {
            guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any], let step = object["step"] as? Int,
                  object["tokens"] is NSNumber else {
                torn += 1
                continue
            }
            if step >= resumedStep {
                later += 1
                continue
            }
            kept.append(line)
            kept.append(UInt8(ascii: "\n"))
        }
        guard torn > 0 || later > 0 else { return nil }
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".metrics.jsonl.repair")
        do {
            try kept.write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else { throw TrainingError("rename failed: \(String(cString: strerror(errno)))") }
        } catch {
            throw TrainingError("\(url.path): cannot repair the metrics file before resuming (\(error)); check that checkpoint.dir is writable")
        }
        var parts: [String] = []
        if torn > 0 { parts.append(torn == 1 ? "a line cut off mid-write" : "\(torn) lines that were not whole records") }
        if later > 0 { parts.append("\(later) records of steps from \(resumedStep) on, logged by a run that ended before its next checkpoint") }
        return "\(url.path): dropped " + parts.joined(separator: " and ")
    }
}
