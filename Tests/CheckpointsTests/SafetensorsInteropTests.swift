import Foundation
import Testing
import Checkpoints

/// Interop with Python's safetensors 0.8.0 through the committed fixture written by
/// reference/safetensors_fixtures.py; the tensor table below mirrors SPECS in that script.
@Suite struct SafetensorsInteropTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/python_written.safetensors")

    static let metadata = ["format": "pt", "note": "caf\u{e9} \"quoted\"\nline\u{1}", "step": "42"]

    /// element i = start + i * step, as in the Python script.
    static func values(_ count: Int, start: Double, step: Double) -> [Float] {
        (0..<count).map { Float(start + Double($0) * step) }
    }

    /// The fixture's tensors in Python's order: largest dtype first, then by name.
    static func tensors() -> [SafetensorsTensor] {
        let seen: [Int64] = [7, 1007]
        return [
            SafetensorsTensor(name: "tokens_seen", dtype: .i64, shape: [2], data: seen.withUnsafeBytes { Data($0) }),
            SafetensorsTensor(name: "h.0.attn.c_attn.weight", shape: [3, 2, 2], floats: values(12, start: -1, step: 0.25)),
            SafetensorsTensor(name: "ln_f.bias", shape: [1], floats: [-2.5]),
            SafetensorsTensor(name: "scale", shape: [], floats: [3]),
            SafetensorsTensor(name: "wte.weight", shape: [4, 3], floats: values(12, start: 0, step: 0.5)),
        ]
    }

    @Test func readsPythonWrittenFile() throws {
        let file = try SafetensorsFile(url: Self.fixture)
        #expect(file.names == ["tokens_seen", "h.0.attn.c_attn.weight", "ln_f.bias", "scale", "wte.weight"])
        #expect(file.metadata == Self.metadata)
        #expect(try file.entry(named: "wte.weight").shape == [4, 3])
        #expect(try file.entry(named: "scale").shape == [])
        #expect(try file.floats(named: "wte.weight") == Self.values(12, start: 0, step: 0.5))
        #expect(try file.floats(named: "h.0.attn.c_attn.weight") == Self.values(12, start: -1, step: 0.25))
        #expect(try file.floats(named: "ln_f.bias") == [-2.5])
        #expect(try file.floats(named: "scale") == [3])
        let seen = try file.tensor(named: "tokens_seen")
        #expect(seen.dtype == .i64 && seen.shape == [2])
        #expect(seen.bytes.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) } == [7, 1007])
        let wrongDType = #expect(throws: SafetensorsError.self) { try file.floats(named: "tokens_seen") }
        #expect(wrongDType?.kind == .mismatch)
    }

    @Test func writesTheSameBytesAsPython() throws {
        let dir = try ckptTestDirectory("st-interop")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("swift_written.safetensors")
        try Safetensors.write(tensors: Self.tensors(), metadata: Self.metadata, to: url)
        let ours = try Data(contentsOf: url)
        let python = try Data(contentsOf: Self.fixture)
        #expect(ours.count == python.count)
        #expect(ours == python)
    }
}
