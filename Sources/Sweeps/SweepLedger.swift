import Foundation
import RunConfig
import ScalingLaws

/// Rank 0's `sweep.jsonl`: one `CellRecord` per finished cell of the plan, in run order.
///
/// The file is rewritten whole and atomically after every cell, so a sweep killed at any moment
/// leaves either the old or the new file. A line that does not decode, or that describes a cell
/// the plan no longer has or has differently (another base config, say), is dropped with a
/// warning; a dropped cell that finished is evaluated again from its checkpoint.
struct SweepLedger {
    /// The file's name in the sweep's directory.
    static let fileName = "sweep.jsonl"

    let url: URL
    let plan: SweepPlan
    private var records: [String: CellRecord] = [:]

    /// Reads `directory`/sweep.jsonl if it exists, keeping the records that match `plan`.
    init(directory: URL, plan: SweepPlan, warn: (String) -> Void) throws {
        url = directory.appendingPathComponent(Self.fileName)
        self.plan = plan
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TrainingError("\(url.path): cannot read the sweep's records; check the file's permissions")
        }
        let planned = Dictionary(plan.cells.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (i, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            let place = "\(url.path) line \(i + 1)"
            guard let record = try? JSONDecoder().decode(CellRecord.self, from: Data(line.utf8)) else {
                warn("\(place) is not a cell record; it is dropped and its cell evaluated again")
                continue
            }
            guard let cell = planned[record.cell] else {
                warn("\(place): cell \(record.cell) is not in the sweep file's plan; the line is dropped (its run directory is kept)")
                continue
            }
            guard Self.matches(record, cell) else {
                warn("\(place): cell \(record.cell) was recorded with other counts (N, D, steps or FLOPs) than the plan gives; it is dropped")
                continue
            }
            records[record.cell] = record
        }
    }

    /// The record of `cell`, if the ledger holds one.
    func record(_ cell: PlannedCell) -> CellRecord? { records[cell.name] }

    /// Every record, in the plan's run order.
    var ordered: [CellRecord] { plan.cells.compactMap { records[$0.name] } }

    /// Adds (or replaces) a cell's record and rewrites the file.
    mutating func add(_ record: CellRecord) throws {
        records[record.cell] = record
        try write()
    }

    /// Writes every record, one JSON object per line with sorted keys, atomically.
    func write() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var text = Data()
        for record in ordered {
            text.append(try encoder.encode(record))
            text.append(UInt8(ascii: "\n"))
        }
        try SweepOutputs.writeAtomically(text, to: url)
    }

    // A record stands for a planned cell when everything the plan determines is the same.
    private static func matches(_ record: CellRecord, _ cell: PlannedCell) -> Bool {
        record == CellRecord(cell, loss: record.loss, bitsPerByte: record.bitsPerByte,
                             wallSeconds: record.wallSeconds, tokensPerSecond: record.tokensPerSecond)
    }
}
