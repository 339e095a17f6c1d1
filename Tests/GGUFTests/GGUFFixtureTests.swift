import Foundation
import Testing
import GGUF

/// Our writer against files gguf-py (llama.cpp's writer library) wrote from the same tiny models
/// (reference/make_gguf_fixture.py): every byte must agree.
@Suite struct GGUFFixtureTests {
    @Test(arguments: GGUFTensorType.allCases)
    func gpt2IsByteIdenticalToGGUFPy(type: GGUFTensorType) throws {
        let ours = try GGUFWriter.bytes(of: Fixtures.gpt2File(type))
        let theirs = try Fixtures.bytes("gpt2-tiny-\(type.rawValue).gguf")
        #expect(ours.count == theirs.count)
        #expect((0..<min(ours.count, theirs.count)).first { ours[$0] != theirs[$0] } == nil, "first differing byte")
    }

    @Test(arguments: [GGUFTensorType.f16, .q8_0])
    func llamaIsByteIdenticalToGGUFPy(type: GGUFTensorType) throws {
        let ours = try GGUFWriter.bytes(of: Fixtures.llamaFile(type))
        let theirs = try Fixtures.bytes("llama-tiny-\(type.rawValue).gguf")
        #expect(ours.count == theirs.count)
        #expect((0..<min(ours.count, theirs.count)).first { ours[$0] != theirs[$0] } == nil, "first differing byte")
    }

    @Test func gpt2FileReadsBackAsLlamaCppExpects() throws {
        let file = try GGUFReader(bytes: Fixtures.bytes("gpt2-tiny-q8_0.gguf"))
        #expect(file.value(of: "general.architecture") == .string("gpt2"))
        #expect(file.value(of: "gpt2.context_length") == .uint32(64))
        #expect(file.value(of: "general.file_type") == .uint32(7))
        #expect(file.value(of: "tokenizer.ggml.pre") == .string("gpt-2"))
        guard case .int32Array(let types) = file.value(of: "tokenizer.ggml.token_type") else { Issue.record("no token types"); return }
        #expect(types[0] == 3 && types.dropFirst().allSatisfy { $0 == 1 })  // <|endoftext|> is id 0 here
        let byName = Dictionary(uniqueKeysWithValues: file.tensors.map { ($0.name, $0) })
        #expect(byName["blk.0.attn_qkv.weight"]?.dims == [32, 96])  // transposed: ne0 = in
        #expect(byName["blk.1.ffn_down.weight"]?.dims == [128, 32])
        #expect(byName["position_embd.weight"]?.ggmlType == 0)  // F32 under q8_0, as the converter keeps it
        #expect(byName["token_embd.weight"]?.ggmlType == 8)
        #expect(byName["output.weight"] == nil)  // tied head
        #expect(file.tensors.count == 4 + 12 * 2)
    }

    @Test func f32TensorDataIsTheTransposedSourceExactly() throws {
        let file = try GGUFReader(bytes: Fixtures.bytes("gpt2-tiny-f32.gguf"))
        let source = try Fixtures.tensors(in: Fixtures.gpt2Directory).values(of: "h.1.mlp.c_fc.weight")  // (32, 128)
        let data = try #require(file.data(of: "blk.1.ffn_up.weight"))  // (128, 32)
        let floats = stride(from: data.startIndex, to: data.endIndex, by: 4).map { i in
            Float(bitPattern: UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24)
        }
        #expect(floats[5 * 32 + 7] == source[7 * 128 + 5])
        #expect(floats[127 * 32 + 31] == source[31 * 128 + 127])
    }
}
