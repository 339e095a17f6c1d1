import Foundation
import Testing
import GGUF

/// What an export refuses, each with one line that names the problem.
@Suite struct GGUFBadInputTests {
    static func expectError(containing text: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected an error containing \(text)")
        } catch {
            #expect("\(error)".contains(text), "\(error)")
        }
    }

    @Test func wrongShapeIsNamed() throws {
        var weights = try Fixtures.tensors(in: Fixtures.gpt2Directory)
        weights.tensors["h.1.attn.c_proj.weight"]?.shape = [16, 64]
        Self.expectError(containing: "h.1.attn.c_proj.weight has shape [16, 64], expected [32, 32]") {
            _ = try GPT2Export.file(name: "x", shape: Fixtures.gpt2Shape, weights: weights,
                                    vocabulary: GGUFVocabulary.read(from: Fixtures.gpt2Directory), type: .f16)
        }
    }

    @Test func missingTensorAndVocabularyMismatchAreNamed() throws {
        var weights = try Fixtures.tensors(in: Fixtures.gpt2Directory)
        weights.tensors["ln_f.bias"] = nil
        let vocabulary = try GGUFVocabulary.read(from: Fixtures.gpt2Directory)
        Self.expectError(containing: "no tensor ln_f.bias") {
            _ = try GPT2Export.file(name: "x", shape: Fixtures.gpt2Shape, weights: weights, vocabulary: vocabulary, type: .f32)
        }
        var bigger = Fixtures.gpt2Shape
        bigger.vocabSize = 321
        Self.expectError(containing: "the tokenizer has 320 tokens but the model 321") {
            _ = try GPT2Export.file(name: "x", shape: bigger, weights: weights, vocabulary: vocabulary, type: .f32)
        }
        Self.expectError(containing: "no <|endoftext|> token") { _ = try GGUFVocabulary(tokens: ["a", "b"], merges: []) }
    }

    @Test func nonFiniteWeightsFailTheWriteAndLeaveNoFile() throws {
        var weights = try Fixtures.tensors(in: Fixtures.gpt2Directory)
        weights.tensors["wte.weight"]?.values[3] = .nan
        let file = try GPT2Export.file(name: "x", shape: Fixtures.gpt2Shape, weights: weights,
                                       vocabulary: GGUFVocabulary.read(from: Fixtures.gpt2Directory), type: .q8_0)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        Self.expectError(containing: "wte.weight holds NaN") { try GGUFWriter.write(file, to: directory.appendingPathComponent("m.gguf")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func unwritableOutputIsNamed() throws {
        let file = try Fixtures.gpt2File(.f32)
        Self.expectError(containing: "cannot create /nonexistent-dir-gguf/") {
            try GGUFWriter.write(file, to: URL(fileURLWithPath: "/nonexistent-dir-gguf/m.gguf"))
        }
    }

    @Test func writtenFileEqualsTheBytesInMemory() throws {
        let file = try Fixtures.gpt2File(.f16)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-test-\(UUID().uuidString).gguf")
        defer { try? FileManager.default.removeItem(at: url) }
        try GGUFWriter.write(file, to: url)
        #expect(Array(try Data(contentsOf: url)) == (try GGUFWriter.bytes(of: file)))
    }
}
