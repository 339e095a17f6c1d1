import Checkpoints
import Data
import Foundation
import GPT

/// Reads and writes the tensors of a checkpoint directory: model.safetensors under Hugging Face
/// GPT-2 names and shapes (loads as-is into transformers' GPT2LMHeadModel), optimizer.safetensors
/// with AdamW's moments, and copies of the tokenizer files.
public enum ModelCheckpoint {
    public static let modelFile = "model.safetensors"
    public static let optimizerFile = "optimizer.safetensors"

    /// The file writers for `CheckpointStore.save`.
    public static func writers(model: GPTModel, optimizer: AdamW?, tokenizerDirectory: URL) -> [(name: String, write: (URL) throws -> Void)] {
        var files: [(name: String, write: (URL) throws -> Void)] = [
            (modelFile, { url in try Safetensors.write(tensors: tensors(model.layout, UnsafeBufferPointer(model.parameters)), metadata: ["format": "pt"], to: url) }),
        ]
        if let optimizer {
            files.append((optimizerFile, { url in
                let m = tensors(model.layout, UnsafeBufferPointer(optimizer.m), prefix: "exp_avg.")
                let v = tensors(model.layout, UnsafeBufferPointer(optimizer.v), prefix: "exp_avg_sq.")
                try Safetensors.write(tensors: m + v, metadata: ["optimizer": "AdamW"], to: url)
            }))
        }
        for name in [BPETokenizer.vocabFileName, BPETokenizer.mergesFileName] {
            files.append((name, { url in try FileManager.default.copyItem(at: tokenizerDirectory.appendingPathComponent(name), to: url) }))
        }
        return files
    }

    /// Loads weights (and, when given, AdamW moments) from a checkpoint directory, checking every
    /// tensor's name and shape against the model.
    public static func load(from directory: URL, into model: GPTModel, optimizer: AdamW?) throws {
        let file = try SafetensorsFile(url: directory.appendingPathComponent(modelFile))
        for t in model.layout.tensors {
            try file.copyFloats(named: t.name, shape: t.shape, into: UnsafeMutableBufferPointer(rebasing: model.parameters[t.range]))
        }
        guard let optimizer else { return }
        let moments = try SafetensorsFile(url: directory.appendingPathComponent(optimizerFile))
        for t in model.layout.tensors {
            try moments.copyFloats(named: "exp_avg." + t.name, shape: t.shape, into: UnsafeMutableBufferPointer(rebasing: optimizer.m[t.range]))
            try moments.copyFloats(named: "exp_avg_sq." + t.name, shape: t.shape, into: UnsafeMutableBufferPointer(rebasing: optimizer.v[t.range]))
        }
    }

    /// SHA-256 (hex) of the tokenizer files in `directory`, keyed by file name.
    public static func tokenizerHashes(_ directory: URL) -> [String: String] {
        var out: [String: String] = [:]
        for name in [BPETokenizer.vocabFileName, BPETokenizer.mergesFileName] {
            out[name] = FileDigest.sha256(directory.appendingPathComponent(name))
        }
        return out
    }

    private static func tensors(_ layout: ParameterLayout, _ buffer: UnsafeBufferPointer<Float>, prefix: String = "") -> [SafetensorsTensor] {
        layout.tensors.map { t in
            SafetensorsTensor(name: prefix + t.name, dtype: .f32, shape: t.shape, borrowing: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[t.range])))
        }
    }
}
