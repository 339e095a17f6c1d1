import Checkpoints
import Foundation
import GGUF

/// The committed fixtures: gguf-py's files, the tiny Hugging Face GPT-2 and Llama they came from.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let gpt2Directory = directory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TrainingTests/Fixtures/hf-gpt2-tiny")
    static let llamaDirectory = directory.appendingPathComponent("llama-tiny")

    /// hf-gpt2-tiny's sizes (its config.json).
    static let gpt2Shape = GPT2Shape(nLayer: 2, nHead: 2, nEmbd: 32, contextLength: 64, vocabSize: 320)
    /// llama-tiny's sizes (its config.json).
    static let llamaShape = LlamaShape(nLayer: 2, nHead: 2, nKVHead: 1, nEmbd: 32, nFF: 64, contextLength: 64, vocabSize: 320,
                                       rmsNormEpsilon: 1e-6, ropeFreqBase: 10000, tiedEmbeddings: false)

    /// Every tensor of a model.safetensors, names without transformers' `transformer.` prefix.
    static func tensors(in directory: URL) throws -> TensorDictionary {
        let file = try SafetensorsFile(url: directory.appendingPathComponent("model.safetensors"))
        var out: [String: (shape: [Int], values: [Float])] = [:]
        for entry in file.entries {
            let name = entry.name.hasPrefix("transformer.") ? String(entry.name.dropFirst("transformer.".count)) : entry.name
            out[name] = (entry.shape, try file.floats(named: entry.name))
        }
        return TensorDictionary(out)
    }

    /// The bytes of fixture file `name`.
    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// Our GPT-2 export of hf-gpt2-tiny in `type`.
    static func gpt2File(_ type: GGUFTensorType) throws -> GGUFFile {
        try GPT2Export.file(name: "gpt2-tiny", shape: gpt2Shape, weights: tensors(in: gpt2Directory),
                            vocabulary: GGUFVocabulary.read(from: gpt2Directory), type: type)
    }

    /// Our Llama export of llama-tiny in `type`.
    static func llamaFile(_ type: GGUFTensorType) throws -> GGUFFile {
        try LlamaExport.file(name: "llama-tiny", shape: llamaShape, weights: tensors(in: llamaDirectory),
                             vocabulary: GGUFVocabulary.read(from: gpt2Directory), type: type)
    }
}
