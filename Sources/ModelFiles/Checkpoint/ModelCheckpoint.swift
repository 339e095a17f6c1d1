import Checkpoints
import Data
import Foundation
import GPT
import RunConfig

/// Reads and writes the tensors of a checkpoint directory: model.safetensors under Hugging Face
/// GPT-2 names and shapes, optimizer.safetensors with AdamW's moments, copies of the tokenizer
/// files, and the config files with which transformers loads the directory as it is
/// (HuggingFace/HuggingFaceFiles.swift).
public enum ModelCheckpoint {
    public static let modelFile = "model.safetensors"
    public static let optimizerFile = "optimizer.safetensors"

    /// The file writers for `CheckpointStore.save`. With `classifier`, model.safetensors is laid out
    /// as transformers' GPT2ForSequenceClassification (`transformer.`-prefixed names and
    /// `score.weight`) and config.json names the labels.
    /// With `muon`, optimizer.safetensors also holds Muon's momentum (ModelCheckpoint+Muon.swift).
    public static func writers(model: GPTModel, optimizer: AdamW?, muon: Muon? = nil, tokenizerDirectory: URL,
                               classifier: (head: ClassifierHead, labels: [String])? = nil) -> [(name: String, write: (URL) throws -> Void)] {
        var files: [(name: String, write: (URL) throws -> Void)] = [
            (modelFile, { url in
                var list = tensors(model.layout, UnsafeBufferPointer(model.parameters), prefix: classifier == nil ? "" : HuggingFaceWeights.prefix)
                if let head = classifier?.head {
                    list.append(SafetensorsTensor(name: HuggingFaceWeights.scoreName, dtype: .f32, shape: [head.classes, head.channels],
                                                  borrowing: UnsafeRawBufferPointer(UnsafeBufferPointer(head.weight))))
                }
                try Safetensors.write(tensors: list, metadata: ["format": "pt"], to: url)
            }),
        ]
        if let optimizer, let muon {
            files.append((optimizerFile, { url in try writeMuonOptimizer(layout: model.layout, optimizer: optimizer, muon: muon, to: url) }))
        } else if let optimizer {
            files.append((optimizerFile, { url in
                let m = tensors(model.layout, UnsafeBufferPointer(optimizer.m), prefix: "exp_avg.")
                let v = tensors(model.layout, UnsafeBufferPointer(optimizer.v), prefix: "exp_avg_sq.")
                try Safetensors.write(tensors: m + v, metadata: ["optimizer": "AdamW"], to: url)
            }))
        }
        for name in [BPETokenizer.vocabFileName, BPETokenizer.mergesFileName] {
            files.append((name, { url in try FileManager.default.copyItem(at: tokenizerDirectory.appendingPathComponent(name), to: url) }))
        }
        return files + HuggingFaceFiles.writers(model: model.config, tokenizerDirectory: tokenizerDirectory, labels: classifier?.labels)
    }

    /// Loads weights (and, when given, AdamW moments) from a checkpoint directory, checking every
    /// tensor's name and shape against the model; model.safetensors may also be one written by
    /// transformers (HuggingFace/HuggingFaceWeights.swift). With `muon`, Muon's momentum too; the
    /// optimizer state of the other optimizer is refused.
    public static func load(from directory: URL, into model: GPTModel, optimizer: AdamW?, muon: Muon? = nil) throws {
        let file = try SafetensorsFile(url: directory.appendingPathComponent(modelFile))
        try HuggingFaceWeights.load(file, layout: model.layout, into: model.parameters)
        try HuggingFaceWeights.checkExtras(file, layout: model.layout)
        guard let optimizer else { return }
        let moments = try SafetensorsFile(url: directory.appendingPathComponent(optimizerFile))
        try checkOptimizerKind(moments, muon: muon != nil)
        if let muon { return try loadMuonOptimizer(moments, layout: model.layout, optimizer: optimizer, muon: muon) }
        for t in model.layout.tensors {
            try moments.copyFloats(named: "exp_avg." + t.name, shape: t.shape, into: UnsafeMutableBufferPointer(rebasing: optimizer.m[t.range]))
            try moments.copyFloats(named: "exp_avg_sq." + t.name, shape: t.shape, into: UnsafeMutableBufferPointer(rebasing: optimizer.v[t.range]))
        }
    }

    /// Checkpoints written before the head moved into model.safetensors kept it in this file.
    static let legacyClassifierFile = "classifier.safetensors"

    /// The file holding the classification head `score.weight` in `directory`, or nil when there is none.
    static func classifierFile(in directory: URL) -> SafetensorsFile? {
        for name in [modelFile, legacyClassifierFile] {
            if let file = try? SafetensorsFile(url: directory.appendingPathComponent(name)), file.names.contains(HuggingFaceWeights.scoreName) {
                return file
            }
        }
        return nil
    }

    /// Whether the checkpoint in `directory` holds a classification head (`score.weight`).
    public static func hasClassifier(in directory: URL) -> Bool { classifierFile(in: directory) != nil }

    /// Loads the classification head `score.weight` from model.safetensors in `directory`.
    public static func loadClassifier(from directory: URL, into head: ClassifierHead) throws {
        // A LoRA checkpoint keeps the head in its PEFT adapter, as PEFT saves modules_to_save.
        if let adapter = try? SafetensorsFile(url: directory.appendingPathComponent(PEFTAdapter.weightsFile)),
           adapter.names.contains(PEFTAdapter.scoreName) {
            return try HuggingFaceWeights.copy(adapter, name: PEFTAdapter.scoreName, shape: [head.classes, head.channels], into: head.weight)
        }
        guard let file = classifierFile(in: directory) else {
            throw TrainingError("\(directory.appendingPathComponent(modelFile).path): no \(HuggingFaceWeights.scoreName); not a checkpoint of a classification fine-tune")
        }
        try HuggingFaceWeights.copy(file, name: HuggingFaceWeights.scoreName, shape: [head.classes, head.channels], into: head.weight)
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
