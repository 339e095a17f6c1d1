import ArgumentParser
import Foundation
import GGUF
import ModelFiles
import RunConfig
import Training

extension GGUFTensorType: ExpressibleByArgument {}

extension TrainerCommand {
    /// Writes a checkpoint as a GGUF file for llama.cpp.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a checkpoint as a GGUF v3 file that llama.cpp loads as it is.",
            discussion: """
            Tensors get llama.cpp's names and layouts (as its convert_hf_to_gguf.py writes GPT-2); the tokenizer \
            (vocab.json, merges.txt) goes in as a GPT-2 byte-level BPE with GPT-2's pre-tokenizer. --type q8_0 \
            keeps norms, biases and position embeddings F32, as llama.cpp's converter does. Example:
              trainer export checkpoints/gpt-small --gguf gpt-small-f16.gguf --type f16
              llama-cli -m gpt-small-f16.gguf -p "ROMEO:" -n 40 --temp 0
            """)

        @Argument(help: "A checkpoint directory (step-NNNNNNN) or a run directory (its newest valid checkpoint).", completion: .directory)
        var checkpoint: String

        @Option(help: "The GGUF file to write (replaced whole at the end; a failed export leaves nothing).", completion: .file(extensions: ["gguf"]))
        var gguf: String

        @Option(help: "Tensor type: f32, f16 or q8_0.")
        var type: GGUFTensorType = .f16

        func run() throws {
            do {
                let loaded = try LoadedCheckpoint(path: checkpoint, batch: 1, warn: { Log.warning($0) })
                let model = loaded.state.config.model
                let shape = GPT2Shape(nLayer: model.nLayer, nHead: model.nHead, nEmbd: model.nEmbd, contextLength: model.blockSize, vocabSize: model.vocabSize)
                let vocabulary = try GGUFVocabulary.read(from: loaded.info.directory)
                let name = loaded.info.directory.deletingLastPathComponent().lastPathComponent
                try withExtendedLifetime(loaded) {  // the source reads the model's parameter buffer
                    let weights = FlatParameters(tensors: loaded.model.layout.tensors.map { ($0.name, $0.shape, $0.range) },
                                                 parameters: UnsafeBufferPointer(loaded.model.parameters))
                    let file = try GPT2Export.file(name: name, shape: shape, weights: weights, vocabulary: vocabulary, type: type)
                    try GGUFWriter.write(file, to: URL(fileURLWithPath: gguf))
                    let bytes = (try? FileManager.default.attributesOfItem(atPath: gguf)[.size] as? Int) ?? 0
                    print("wrote \(gguf): gpt2, \(type.rawValue), \(file.tensors.count) tensors, \(bytes) bytes, from \(loaded.info.directory.path)")
                }
            } catch {
                Launch.failBeforeMPI("\(error)")
            }
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
