import Foundation
import Testing
import Checkpoints

/// A fresh empty directory under the system temp dir, unique per call; tests remove it themselves.
func ckptTestDirectory(_ tag: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("trainer-ckpt-tests-\(tag)-\(getpid())-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct SafetensorsRoundTripTests {
    @Test func writesAndReadsBackF32AndI64() throws {
        let dir = try ckptTestDirectory("st-roundtrip")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.safetensors")
        let big = (0..<1000).map { Float($0) * 0.125 - 7 }
        let ids: [Int64] = [1, -2, 1 << 40]
        try big.withUnsafeBytes { raw in
            try Safetensors.write(tensors: [
                SafetensorsTensor(name: "big", dtype: .f32, shape: [10, 100], borrowing: raw),
                SafetensorsTensor(name: "ids", dtype: .i64, shape: [3], data: ids.withUnsafeBytes { Data($0) }),
                SafetensorsTensor(name: "empty", shape: [0, 4], floats: []),
            ], metadata: ["k": "v"], to: url)
        }
        let file = try SafetensorsFile(url: url)
        #expect(file.names == ["big", "ids", "empty"])
        #expect(file.metadata == ["k": "v"])
        #expect(try file.floats(named: "big") == big)
        #expect(try file.entry(named: "empty").shape == [0, 4])
        let t = try file.tensor(named: "ids")
        #expect(t.dtype == .i64 && t.shape == [3])
        #expect(t.bytes.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) } == ids)
    }

    @Test func headerIsPaddedToAMultipleOfEight() throws {
        let dir = try ckptTestDirectory("st-pad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.safetensors")
        try Safetensors.write(tensors: [SafetensorsTensor(name: "x", shape: [1], floats: [1])], to: url)
        let bytes = [UInt8](try Data(contentsOf: url))
        let n = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(n % 8 == 0)
        #expect(bytes.count == 8 + n + 4)
        #expect(String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
            .hasPrefix(#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#))
    }

    @Test func copyFloatsChecksShapeAndDestination() throws {
        let dir = try ckptTestDirectory("st-copy")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.safetensors")
        try Safetensors.write(tensors: [SafetensorsTensor(name: "w", shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])], to: url)
        let file = try SafetensorsFile(url: url)
        var out = [Float](repeating: 0, count: 6)
        try out.withUnsafeMutableBufferPointer { try file.copyFloats(named: "w", shape: [2, 3], into: $0) }
        #expect(out == [1, 2, 3, 4, 5, 6])
        let wrongShape = #expect(throws: SafetensorsError.self) {
            try out.withUnsafeMutableBufferPointer { try file.copyFloats(named: "w", shape: [3, 2], into: $0) }
        }
        #expect(wrongShape?.kind == .mismatch)
        #expect(wrongShape?.description.contains(url.path) == true)
        #expect(wrongShape?.description.contains("'w'") == true)
        var short = [Float](repeating: 0, count: 5)
        let wrongCount = #expect(throws: SafetensorsError.self) {
            try short.withUnsafeMutableBufferPointer { try file.copyFloats(named: "w", shape: [2, 3], into: $0) }
        }
        #expect(wrongCount?.kind == .mismatch)
        let missing = #expect(throws: SafetensorsError.self) { try file.entry(named: "nope") }
        #expect(missing?.kind == .missingTensor)
        #expect(missing?.description.contains("nope") == true)
    }

    @Test func writerRejectsInconsistentTensors() throws {
        let dir = try ckptTestDirectory("st-badwrite")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.safetensors")
        let badCount = #expect(throws: SafetensorsError.self) {
            try Safetensors.write(tensors: [SafetensorsTensor(name: "w", shape: [2, 3], floats: [1, 2])], to: url)
        }
        #expect(badCount?.kind == .invalidArgument)
        let duplicate = #expect(throws: SafetensorsError.self) {
            try Safetensors.write(tensors: [SafetensorsTensor(name: "w", shape: [1], floats: [1]),
                                            SafetensorsTensor(name: "w", shape: [1], floats: [2])], to: url)
        }
        #expect(duplicate?.kind == .invalidArgument)
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }

    @Test func writingIntoAMissingDirectoryNamesThePath() throws {
        let dir = try ckptTestDirectory("st-nodir")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("no/such/dir/t.safetensors")
        let error = #expect(throws: SafetensorsError.self) {
            try Safetensors.write(tensors: [SafetensorsTensor(name: "x", shape: [1], floats: [1])], to: url)
        }
        #expect(error?.kind == .io)
        #expect(error?.description.contains(url.path) == true)
        #expect(error?.description.contains("No such file or directory") == true)
    }
}
