import Foundation
import Testing
import Checkpoints

/// Malformed files must produce a `SafetensorsError` naming the file, never a crash.
@Suite struct SafetensorsCorruptionTests {
    /// An 8-byte length, `header` verbatim, then `dataCount` zero bytes.
    static func file(header: String, dataCount: Int, length: UInt64? = nil) -> [UInt8] {
        let h = Array(header.utf8)
        let n = length ?? UInt64(h.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) } + h + [UInt8](repeating: 0, count: dataCount)
    }

    /// Writes `bytes` to a temporary file and returns the error opening it gives.
    static func openError(_ bytes: [UInt8]) throws -> SafetensorsError? {
        let dir = try ckptTestDirectory("st-corrupt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("bad.safetensors")
        try Data(bytes).write(to: url)
        let error = #expect(throws: SafetensorsError.self) { _ = try SafetensorsFile(url: url) }
        #expect(error?.description.contains(url.path) == true)
        return error
    }

    static let good = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#

    @Test func wellFormedBaselineOpens() throws {
        let dir = try ckptTestDirectory("st-baseline")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("ok.safetensors")
        try Data(Self.file(header: Self.good, dataCount: 12)).write(to: url)
        #expect(try SafetensorsFile(url: url).names == ["a", "b"])
    }

    @Test func truncatedFiles() throws {
        let full = Self.file(header: Self.good, dataCount: 12)
        #expect(try Self.openError([])?.kind == .truncated)
        #expect(try Self.openError(Array(full.prefix(5)))?.kind == .truncated)
        #expect(try Self.openError(Array(full.prefix(40)))?.kind == .truncated)
        let cutData = try Self.openError(Array(full.dropLast(3)))
        #expect(cutData?.kind == .invalidOffsets)
        #expect(cutData?.tensor == "b")
    }

    @Test func headerLengthPastEndOfFile() throws {
        let h = Self.good
        #expect(try Self.openError(Self.file(header: h, dataCount: 12, length: UInt64(h.utf8.count + 13)))?.kind == .truncated)
        #expect(try Self.openError(Self.file(header: h, dataCount: 12, length: UInt64.max))?.kind == .invalidHeader)
        #expect(try Self.openError(Self.file(header: h, dataCount: 12, length: 0))?.kind == .invalidHeader)
    }

    @Test func offsetsOutOfRange() throws {
        let e = try Self.openError(Self.file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, dataCount: 4))
        #expect(e?.kind == .invalidOffsets)
        #expect(e?.tensor == "a")
        let huge = try Self.openError(Self.file(
            header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[18446744073709551615,18446744073709551623]}}"#, dataCount: 8))
        #expect(huge?.kind == .invalidHeader)
        let reversed = try Self.openError(Self.file(header: #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#, dataCount: 8))
        #expect(reversed?.kind == .invalidOffsets)
    }

    @Test func overlappingGapsAndTrailingBytes() throws {
        let overlap = try Self.openError(Self.file(
            header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, dataCount: 12))
        #expect(overlap?.kind == .invalidOffsets)
        #expect(overlap?.description.contains("overlap") == true)
        let gap = try Self.openError(Self.file(
            header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, dataCount: 12))
        #expect(gap?.kind == .invalidOffsets)
        let trailing = try Self.openError(Self.file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, dataCount: 9))
        #expect(trailing?.kind == .invalidOffsets)
    }

    @Test func shapeDisagreesWithByteLength() throws {
        let e = try Self.openError(Self.file(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, dataCount: 8))
        #expect(e?.kind == .invalidOffsets)
        #expect(e?.tensor == "a")
        let overflow = try Self.openError(Self.file(
            header: #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, dataCount: 8))
        #expect(overflow?.kind == .invalidOffsets)
    }

    @Test func badJSON() throws {
        let cases = [
            #"{"a":"#,
            #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} x"#,
            #"[1,2]"#,
            #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
            #"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#,
            #"{"a":{"dtype":"F32","shape":[1]}}"#,
            #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}"#,
            #"{"__metadata__":{"k":1},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":[01],"data_offsets":[0,4]}}"#,
            String(repeating: "[", count: 100_000),
        ]
        for header in cases {
            #expect(try Self.openError(Self.file(header: header, dataCount: 4))?.kind == .invalidHeader, "\(header.prefix(80))")
        }
        var invalidUTF8 = Self.file(header: #"{"a\#u{e9}":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, dataCount: 4)
        invalidUTF8[11] = 0xFF
        #expect(try Self.openError(invalidUTF8)?.kind == .invalidHeader)
    }

    @Test func unknownDType() throws {
        let e = try Self.openError(Self.file(header: #"{"a":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}"#, dataCount: 4))
        #expect(e?.kind == .unsupportedDType)
        #expect(e?.tensor == "a")
        #expect(e?.description.contains("F33") == true)
    }

    /// Deterministic byte flips over the whole Python fixture: each variant either opens or throws.
    @Test func randomByteFlipsNeverCrash() throws {
        let original = [UInt8](try Data(contentsOf: SafetensorsInteropTests.fixture))
        let dir = try ckptTestDirectory("st-fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("fuzz.safetensors")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var opened = 0
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<(1 + Int(next() % 3)) {
                // Bias flips towards the length field and the header, where parsing happens.
                let at = Int(next() % UInt64(min(bytes.count, 440)))
                bytes[at] ^= UInt8(truncatingIfNeeded: 1 << (next() % 8))
            }
            try Data(bytes).write(to: url)
            do {
                _ = try SafetensorsFile(url: url)
                opened += 1
            } catch {
                #expect(error.description.contains(url.path))
            }
        }
        #expect(opened < 300)
    }
}
