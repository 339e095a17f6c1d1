import Foundation
import GGUF
import Testing
import TestSupport

/// `trainer export CHECKPOINT --gguf FILE` on each family: the file names its architecture, holds
/// llama.cpp's tensor names and the checkpoint's sizes, and a family it cannot write is refused
/// with one line. (GGUFTests holds the files byte-identical to gguf-py's for the same weights;
/// reference/check_gguf_llamacpp.py runs them in llama.cpp itself.)
@Suite struct GGUFExportCommandTests {
    static let fixtures = TrainerProcess.root.appendingPathComponent("Tests/TrainingTests/Fixtures/llama-greedy")

    static func export(_ checkpoint: URL, type: String) throws -> (TrainerProcess.Result, URL) {
        let out = try TestDirectory.make("gguf-export").appendingPathComponent("model-\(type).gguf")
        return (try TrainerProcess.run(["export", checkpoint.path, "--gguf", out.path, "--type", type], timeout: 120), out)
    }

    @Test func aGPT2CheckpointBecomesLlamaCppsGPT2() throws {
        let (result, out) = try Self.export(PretrainedTiny.checkpoint, type: "f16")
        try #require(result.status == 0, "export failed: \(result.stderr)")
        let file = try GGUFReader(bytes: Array(Data(contentsOf: out)))
        #expect(file.value(of: "general.architecture") == .string("gpt2"))
        #expect(file.value(of: "gpt2.context_length") == .uint32(32))
        #expect(file.value(of: "tokenizer.ggml.model") == .string("gpt2"))
        #expect(file.tensors.contains { $0.name == "blk.1.attn_qkv.weight" })
        #expect(result.stdout.contains("gpt2, f16"))
    }

    @Test func aLlamaCheckpointBecomesLlamaCppsLlama() throws {
        let (result, out) = try Self.export(Self.fixtures.appendingPathComponent("llama-tied"), type: "f32")
        try #require(result.status == 0, "export failed: \(result.stderr)")
        let file = try GGUFReader(bytes: Array(Data(contentsOf: out)))
        #expect(file.value(of: "general.architecture") == .string("llama"))
        #expect(file.value(of: "llama.context_length") == .uint32(32))
        #expect(file.value(of: "llama.embedding_length") == .uint32(16))
        #expect(file.value(of: "llama.attention.head_count_kv") == .uint32(2))
        let names = Set(file.tensors.map(\.name))
        for name in ["token_embd.weight", "blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight", "blk.1.ffn_gate.weight",
                     "blk.1.ffn_up.weight", "blk.1.ffn_down.weight", "output_norm.weight"] {
            #expect(names.contains(name), "no \(name) in \(names.sorted())")
        }
        #expect(!names.contains("output.weight"))  // tied head
        #expect(result.stdout.contains("llama, f32"))
    }

    @Test func aQwen3CheckpointIsRefusedWithOneLine() throws {
        let (result, out) = try Self.export(Self.fixtures.appendingPathComponent("qwen3-untied"), type: "f16")
        #expect(result.status == 2)
        #expect(result.stderr.contains("Qwen3") && result.stderr.contains("convert_hf_to_gguf.py"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}
