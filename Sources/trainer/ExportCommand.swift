import ArgumentParser
import Foundation
import GGUF
import GPT
import ModelFiles
import RunConfig
import Training

extension GGUFTensorType: ExpressibleByArgument {}

extension TrainerCommand {
    /// Writes a checkpoint as a GGUF file for llama.cpp.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a checkpoint as a GGUF v3 file that llama.cpp loads as it is, or merge a LoRA adapter into it.",
            discussion: """
            Tensors get llama.cpp's names and layouts, as its convert_hf_to_gguf.py writes GPT-2 (architecture gpt2) or \
            Llama (architecture llama; Qwen3 checkpoints are refused); the tokenizer \
            (vocab.json, merges.txt) goes in as a GPT-2 byte-level BPE with GPT-2's pre-tokenizer. --type q8_0 \
            keeps norms, biases and position embeddings F32, as llama.cpp's converter does. Example:
              trainer export checkpoints/gpt-small --gguf gpt-small-f16.gguf --type f16
              llama-cli -m gpt-small-f16.gguf -p "ROMEO:" -n 40 --temp 0
            --merge-adapter ADAPTER merges a LoRA adapter trained on the checkpoint (W += (alpha/r)·(BA)ᵀ) first; \
            --out DIR then writes the merged model as an ordinary checkpoint (DIR/step-NNNNNNN), and --gguf exports it:
              trainer export checkpoints/gpt-small --merge-adapter checkpoints/lora-run --out checkpoints/merged
            """)

        @Argument(help: "A checkpoint directory (step-NNNNNNN) or a run directory (its newest valid checkpoint).", completion: .directory)
        var checkpoint: String

        @Option(help: "The GGUF file to write (replaced whole at the end; a failed export leaves nothing).", completion: .file(extensions: ["gguf"]))
        var gguf: String?

        @Option(help: "A LoRA adapter trained on the checkpoint, merged into it before exporting (refused if trained on other weights).", completion: .directory)
        var mergeAdapter: String?

        @Option(help: "With --merge-adapter: a run directory to write the merged model into as an ordinary checkpoint.", completion: .directory)
        var out: String?

        func validate() throws {
            guard gguf != nil || out != nil else { throw ValidationError("name what to write: --gguf FILE, or --merge-adapter ADAPTER --out DIR") }
            guard out == nil || mergeAdapter != nil else { throw ValidationError("--out writes a merged checkpoint; add --merge-adapter ADAPTER") }
        }

        @Option(help: "Tensor type: f32, f16 or q8_0.")
        var type: GGUFTensorType = .f16

        func run() throws {
            do {
                let loaded = try LoadedCheckpoint(path: checkpoint, batch: 1, warn: { Log.warning($0) }, adapter: mergeAdapter)
                if let out {
                    let info = try MergedCheckpoint.write(loaded, to: URL(fileURLWithPath: out))
                    print("wrote \(info.directory.path): \(checkpoint) with \(loaded.adapter?.path ?? "") merged in")
                }
                guard let gguf else { return }
                let model = loaded.state.config.model
                if model.qkNorm {
                    throw TrainingError("\(loaded.info.directory.path) is a Qwen3 model (model.qk_norm); GGUF export writes the gpt2 and llama architectures only, so export it to transformers (the checkpoint directory is one) and convert it with llama.cpp's convert_hf_to_gguf.py")
                }
                let vocabulary = try GGUFVocabulary.read(from: loaded.info.directory)
                let name = loaded.info.directory.deletingLastPathComponent().lastPathComponent
                try withExtendedLifetime(loaded) {  // the source reads the model's parameter buffer
                    let weights = FlatParameters(tensors: loaded.model.layout.tensors.map { ($0.name, $0.shape, $0.range) },
                                                 parameters: UnsafeBufferPointer(loaded.model.parameters))
                    let file = try Self.file(model, name: name, weights: weights, vocabulary: vocabulary, type: type)
                    try GGUFWriter.write(file, to: URL(fileURLWithPath: gguf))
                    let bytes = (try? FileManager.default.attributesOfItem(atPath: gguf)[.size] as? Int) ?? 0
                    print("wrote \(gguf): \(model.family == .llama ? "llama" : "gpt2"), \(type.rawValue), \(file.tensors.count) tensors, \(bytes) bytes, from \(loaded.info.directory.path)")
                }
            } catch {
                Launch.failBeforeMPI("\(error)")
            }
        }
    }
}

extension TrainerCommand.Export {
    /// The GGUF file of `model`'s family: llama.cpp's gpt2 or llama architecture.
    static func file(_ model: GPTConfig, name: String, weights: TensorSource, vocabulary: GGUFVocabulary, type: GGUFTensorType) throws -> GGUFFile {
        switch model.family {
        case .gpt2:
            let shape = GPT2Shape(nLayer: model.nLayer, nHead: model.nHead, nEmbd: model.nEmbd, contextLength: model.blockSize, vocabSize: model.vocabSize)
            return try GPT2Export.file(name: name, shape: shape, weights: weights, vocabulary: vocabulary, type: type)
        case .llama:
            let shape = LlamaShape(nLayer: model.nLayer, nHead: model.nHead, nKVHead: model.nHead, nEmbd: model.nEmbd,
                                   nFF: model.resolvedIntermediateSize, contextLength: model.blockSize, vocabSize: model.vocabSize,
                                   rmsNormEpsilon: Float(model.normEps), ropeFreqBase: Float(model.ropeTheta), tiedEmbeddings: model.tiedHead)
            return try LlamaExport.file(name: name, shape: shape, weights: weights, vocabulary: vocabulary, type: type)
        }
    }
}

/// A model's flat parameter buffer read by Hugging Face tensor name.
private struct FlatParameters: TensorSource {
    let byName: [String: (shape: [Int], range: Range<Int>)]
    let parameters: UnsafeBufferPointer<Float>

    init(tensors: [(String, [Int], Range<Int>)], parameters: UnsafeBufferPointer<Float>) {
        byName = Dictionary(uniqueKeysWithValues: tensors.map { ($0.0, ($0.1, $0.2)) })
        self.parameters = parameters
    }

    func shape(of name: String) -> [Int]? { byName[name]?.shape }

    func values(of name: String) throws -> [Float] {
        guard let t = byName[name] else { throw GGUFError("the checkpoint has no tensor \(name)") }
        return Array(parameters[t.range])
    }
}
