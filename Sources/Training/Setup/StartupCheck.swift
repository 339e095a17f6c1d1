import Collectives
import Crypto
import Foundation
import RunConfig

/// Verifies at start-up that every rank runs the same config, binary and data, so that replicas
/// cannot silently diverge. A mismatch stops every rank with one message from rank 0.
public enum StartupCheck {
    /// What each rank fingerprints.
    public struct Fingerprint: Sendable {
        public var config: [UInt8]
        public var binary: [UInt8]
        public var data: [UInt8]
        public init(config: [UInt8], binary: [UInt8], data: [UInt8]) {
            self.config = config
            self.binary = binary
            self.data = data
        }
    }

    /// Fingerprints the resolved config and this executable; `dataHash` is the objective's hex
    /// SHA-256 of its data (`TrainingObjective.dataHash`).
    public static func fingerprint(config: TrainConfig, dataHash: String) -> Fingerprint {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return Fingerprint(
            config: digest(ConfigLoader.canonicalJSON(config)),
            binary: digest((try? Data(contentsOf: exe, options: .alwaysMapped)) ?? Data(CommandLine.arguments[0].utf8)),
            data: Array(dataHash.utf8))
    }

    /// Compares every rank's fingerprint with rank 0's; returns a message naming the ranks and
    /// what differs, identical on every rank, or nil when all agree.
    public static func compare(_ mine: Fingerprint, comm: Communicator) throws(CollectiveError) -> String? {
        let parts = [("config", mine.config), ("binary", mine.binary), ("data shards", mine.data)]
        var flags = [Int64](repeating: 0, count: comm.size)
        for (bit, part) in parts.enumerated() {
            let root = try comm.broadcast(bytes: part.1)
            if root != part.1 { flags[comm.rank] |= Int64(1 << bit) }
        }
        let buffer = UnsafeMutableBufferPointer<Int64>.allocate(capacity: flags.count)
        defer { buffer.deallocate() }
        _ = buffer.initialize(from: flags)
        try comm.allReduceMax(buffer)
        let differing = buffer.enumerated().filter { $0.element != 0 }
        guard !differing.isEmpty else { return nil }
        let lines = differing.map { rank, bits in
            let names = parts.enumerated().filter { bits & Int64(1 << $0.offset) != 0 }.map { $0.element.0 }
            return "rank \(rank) differs from rank 0 in: \(names.joined(separator: ", "))"
        }
        return lines.joined(separator: "; ") + " — run the same trainer build, config and prepared data on every rank"
    }

    /// Fingerprints this rank and compares it with rank 0's; a mismatch stops every rank with
    /// one message (a `RankFailure`, the same on every rank).
    public static func verify(config: TrainConfig, dataHash: String, comm: Communicator) throws {
        if let mismatch = try compare(fingerprint(config: config, dataHash: dataHash), comm: comm) {
            throw RankFailure(rank: 0, message: mismatch)
        }
    }

    private static func digest(_ data: Data) -> [UInt8] { Array(SHA256.hash(data: data)) }
}
