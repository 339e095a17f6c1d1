import Foundation
import Testing
import Checkpoints

/// Issue 26: loading a model from its memory map must not leave the map's pages resident (they
/// count in the process's peak, which doubled a LoRA base's weights at load).
@Suite struct SafetensorsResidencyTests {
    /// This process's resident file-backed bytes (Linux /proc/self/status RssFile), nil elsewhere.
    static func residentFileBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("RssFile:") }),
              let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return nil }
        return kib * 1024
    }

    @Test(.enabled(if: residentFileBytes() != nil, "needs /proc/self/status (Linux) to read the resident file-backed bytes"))
    func copyingATensorGivesTheMapsPagesBack() throws {
        let dir = try ckptTestDirectory("st-resident")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.safetensors")
        let count = 24 << 20  // 96 MiB of F32, twelve of copyFloats' chunks
        let values = (0..<count).map { Float($0 % 4099) }
        try values.withUnsafeBytes { raw in
            try Safetensors.write(tensors: [SafetensorsTensor(name: "w", dtype: .f32, shape: [count / 1024, 1024], borrowing: raw)], to: url)
        }
        let file = try SafetensorsFile(url: url)
        let destination = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        defer { destination.deallocate() }
        for _ in 0..<2 {  // the second read faults the given-back pages in again
            destination.update(repeating: -1)
            let before = Self.residentFileBytes()!
            try file.copyFloats(named: "w", shape: [count / 1024, 1024], into: destination)
            let grown = Self.residentFileBytes()! - before
            // Without giving pages back the map stays resident: +96 MiB. Other tests of this
            // process may map files meanwhile, hence the margin.
            #expect(grown < 40 << 20, "the map kept \(grown >> 20) MiB resident after the copy")
            #expect(destination[0] == 0 && destination[4100] == 1 && destination[count - 1] == Float((count - 1) % 4099))
            #expect(Array(destination) == values)
        }
    }
}
