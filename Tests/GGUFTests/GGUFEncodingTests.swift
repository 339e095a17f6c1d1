import Foundation
import Testing
import GGUF

/// Element encodings and the export's rearrangements, against values worked out by hand from
/// ggml's reference code (quantize_row_q8_0_ref) and gguf-py's quants.py.
@Suite struct GGUFEncodingTests {
    static func encode(_ values: [Float], _ type: GGUFTensorType) -> [UInt8] {
        var out: [UInt8] = []
        values.withUnsafeBufferPointer { type.encode($0, into: &out) }
        return out
    }

    @Test func q8RoundsHalvesAwayFromZeroNotToEven() {
        // max |x| = 127 gives d = 1 (f16 0x3C00), so q = x exactly rounded: 2.5 → 3, -2.5 → -3, 0.5 → 1.
        var x = [Float](repeating: 0, count: 32)
        x[0] = 127; x[1] = 2.5; x[2] = -2.5; x[3] = 0.5; x[4] = -126.4
        let out = Self.encode(x, .q8_0)
        #expect(out.count == 34)
        #expect(out[0] == 0x00 && out[1] == 0x3C)
        #expect(out[2...6].map { Int8(bitPattern: $0) } == [127, 3, -3, 1, -126])
    }

    @Test func q8ZeroBlockHasZeroScaleAndQuanta() {
        #expect(Self.encode([Float](repeating: 0, count: 64), .q8_0) == [UInt8](repeating: 0, count: 68))
    }

    @Test func f16RoundsToNearestEvenAndOverflowsToInfinity() {
        #expect(Self.encode([1.0 / 3, 65520, -2], .f16) == [0x55, 0x35, 0x00, 0x7C, 0x00, 0xC0])
    }

    @Test func q8FallsBackToF16WhereRowsAreNotWholeBlocks() throws {
        // Width 48: rows of 48 (token_embd, qkv, ffn_up) cannot be Q8_0; ffn_down's rows of 192 can.
        let shape = GPT2Shape(nLayer: 1, nHead: 2, nEmbd: 48, contextLength: 8, vocabSize: 257)
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        for (name, s) in GPT2Export.expectedShapes(shape) { tensors[name] = (s, [Float](repeating: 0.5, count: s.reduce(1, *))) }
        let vocabulary = try GGUFVocabulary(tokens: (0..<256).map { "t\($0)" } + ["<|endoftext|>"], merges: [])
        let file = try GPT2Export.file(name: "w48", shape: shape, weights: TensorDictionary(tensors), vocabulary: vocabulary, type: .q8_0)
        let types = Dictionary(uniqueKeysWithValues: file.tensors.map { ($0.name, $0.type) })
        #expect(types["token_embd.weight"] == .f16)
        #expect(types["blk.0.attn_qkv.weight"] == .f16)
        #expect(types["blk.0.ffn_down.weight"] == .q8_0)
        #expect(types["blk.0.attn_qkv.bias"] == .f32)
        #expect(file.value(of: "tokenizer.ggml.eos_token_id") == .uint32(256))
        #expect(try GGUFReader(bytes: GGUFWriter.bytes(of: file)).tensors.count == file.tensors.count)
    }

    @Test func ropePermuteInterleavesEachHeadsHalves() {
        // Two heads of 4 rows, one column: HF's (x0 x1 | y0 y1) per head becomes llama.cpp's (x0 y0 x1 y1).
        let out = LlamaExport.ropePermuted([0, 1, 2, 3, 10, 11, 12, 13], shape: [8, 1], heads: 2)
        #expect(out == [0, 2, 1, 3, 10, 12, 11, 13])
    }

    @Test func sizeLabelsMatchGGUFPy() {
        #expect(ModelExport.sizeLabel(37_760) == "38K")
        #expect(ModelExport.sizeLabel(124_439_808) == "124M")
        #expect(ModelExport.sizeLabel(400) == "0.40K")
        #expect(ModelExport.sizeLabel(7_241_732_096) == "7.2B")
    }
}
