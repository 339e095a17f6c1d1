import Data
import Foundation
import Testing
import TestSupport

/// Reading shards at random leaves no pages in the process's resident set (nanoGPT issue 287:
/// np.memmap residency grows with what was read until the loader recreates the map).
@Suite(.serialized) struct ShardResidencyTests {
    /// 24 MB of shards whose token at position i is i mod 65521.
    static let directory: URL = {
        let directory = try! TestDirectory.make("residency")
        for shard in 0..<2 {
            let tokens = (0..<6_000_000).map { UInt16((shard * 6_000_000 + $0) % 65521) }
            try! TokenShard.write(tokens: tokens, to: directory.appendingPathComponent("train_00000\(shard).bin"))
        }
        return directory
    }()

    /// The resident bytes of the mappings holding `dataset`'s shards, from /proc/self/smaps.
    static func residentBytes(_ dataset: TokenDataset) throws -> Int {
        // procfs files report size 0, so read to the end rather than by size.
        let smaps = String(decoding: try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/smaps")).readToEnd() ?? Data(), as: UTF8.self)
        #expect(smaps.contains("Rss:"))
        let addresses = dataset.shards.map { UInt(bitPattern: $0.tokens.baseAddress!) }
        var total = 0
        var inside = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), let space = line.firstIndex(of: " "), dash < space,
               let low = UInt(line[..<dash], radix: 16), let high = UInt(line[line.index(after: dash)..<space], radix: 16) {
                inside = addresses.contains { $0 >= low && $0 < high }
            } else if inside, line.hasPrefix("Rss:") {
                total += (Int(line.split(separator: " ")[1]) ?? 0) * 1024
            }
        }
        return total
    }

    /// Reads `reads` random windows of 257 tokens through `read`, checking each; returns the peak
    /// resident bytes of the shard mappings seen.
    static func readAtRandom(_ dataset: TokenDataset, reads: Int, through read: (Int, UnsafeMutablePointer<Int32>) -> Void) throws -> Int {
        var rng = SplitMix64(seed: 7)
        var window = [Int32](repeating: 0, count: 257)
        var peak = try residentBytes(dataset)
        for index in 0..<reads {
            let start = Int(rng.next() % UInt64(dataset.count - 257))
            window.withUnsafeMutableBufferPointer { read(start, $0.baseAddress!) }
            #expect(window[0] == Int32(start % 65521) && window[256] == Int32((start + 256) % 65521))
            if index % 1000 == 999 { peak = max(peak, try residentBytes(dataset)) }
        }
        return peak
    }

    @Test func readingThroughTheLoaderLeavesNothingResident() throws {
        let dataset = try TokenDataset(directory: Self.directory, split: "train", vocabSize: 65536)
        let peak = try Self.readAtRandom(dataset, reads: 10_000) { dataset.copy(from: $0, count: 257, into: $1) }
        #expect(peak <= 64 << 10, "peak resident \(peak) bytes of mapped shards")
    }

    @Test func readingThroughTheMappingGrowsTheResidentSet() throws {
        // What np.memmap does in nanoGPT issue 287, shown so that the measurement above is known to see it.
        let dataset = try TokenDataset(directory: Self.directory, split: "train", vocabSize: 65536)
        let peak = try Self.readAtRandom(dataset, reads: 10_000) { start, window in
            for i in 0..<257 { window[i] = dataset.token(at: start + i) }
        }
        #expect(peak > 8 << 20, "peak resident \(peak) bytes: the measurement would not see a leak")
    }
}
