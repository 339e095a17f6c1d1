import Checkpoints
import Data
import Foundation
import GPT
import RunConfig

/// Weights to start training from (`init_from`): a checkpoint of this trainer (a step directory,
/// or a run directory for its newest valid checkpoint) or a Hugging Face GPT-2 directory
/// (config.json, model.safetensors, vocab.json, merges.txt). Opening checks everything that can
/// be checked without loading: the model's settings, the tensors' names and shapes, the tokenizer.
///
///     let pretrained = try PretrainedWeights.open("checkpoints/gpt-small")
///     let model = GPTModel(config: pretrained.modelConfig, maxBatch: 4, maxSequence: pretrained.modelConfig.blockSize)
///     try pretrained.load(into: model)
public struct PretrainedWeights {
    /// Where the weights come from.
    public enum Source {
        /// A checkpoint of this trainer, validated against its SHA-256s, and its state.
        case checkpoint(CheckpointInfo, TrainingState)
        /// A directory saved by Hugging Face transformers (or by anything that writes its GPT-2 files).
        case huggingFace
    }

    /// The directory holding the weights and the tokenizer.
    public let directory: URL
    /// The model the weights are for.
    public let modelConfig: GPTConfig
    /// Where vocab.json and merges.txt are: the same directory, or for a Hugging Face directory with
    /// only tokenizer.json, a directory they were extracted to.
    public let tokenizerDirectory: URL
    /// What kind of directory it is.
    public let source: Source

    /// Opens `path`: a directory with state.json is a step checkpoint, one with config.json (and
    /// no state.json) a Hugging Face directory, any other a run directory. Errors are one line
    /// naming the file and what is supported.
    public static func open(_ path: String, warn: (String) -> Void = { _ in }) throws -> PretrainedWeights {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let has = { (name: String) in FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path) }
        if !has(CheckpointStore.stateFileName) && has("config.json") {
            return try PretrainedWeights(huggingFace: url)
        }
        let info = try CheckpointStore.resolve(path: url, warn: warn)
        let statePath = info.file(CheckpointStore.stateFileName).path
        let state = try TrainingState.read(info.state, path: statePath)
        guard ModelCheckpoint.tokenizerHashes(info.directory) == state.tokenizer else {
            throw TrainingError("\(info.directory.path): the tokenizer files (vocab.json, merges.txt) do not match the tokenizer the model was trained with (hashes in \(statePath)); restore the checkpoint's own tokenizer files")
        }
        return PretrainedWeights(directory: info.directory, modelConfig: state.config.model, source: .checkpoint(info, state))
    }

    private init(directory: URL, tokenizerDirectory: URL? = nil, modelConfig: GPTConfig, source: Source) {
        self.directory = directory
        self.tokenizerDirectory = tokenizerDirectory ?? directory
        self.modelConfig = modelConfig
        self.source = source
    }

    private init(huggingFace url: URL) throws {
        let file = { (name: String) in url.appendingPathComponent(name) }
        let exists = { (name: String) in FileManager.default.fileExists(atPath: file(name).path) }
        let config = try HuggingFaceConfig(url: file("config.json"))
        guard exists(ModelCheckpoint.modelFile) else {
            let found = exists("model.safetensors.index.json") ? "sharded weights (model.safetensors.index.json)"
                : exists("pytorch_model.bin") ? "only pytorch_model.bin" : "no model.safetensors"
            throw TrainingError("\(url.path): \(found) is not supported; save the model as one model.safetensors (transformers: model.save_pretrained(dir, max_shard_size=\"100GB\")); \(HuggingFaceConfig.supported)")
        }
        var tokenizerDirectory = url
        if !exists(BPETokenizer.vocabFileName) && !exists(BPETokenizer.mergesFileName) && exists("tokenizer.json") {
            tokenizerDirectory = try TokenizerJSON.extract(file("tokenizer.json"))
        }
        for name in [BPETokenizer.vocabFileName, BPETokenizer.mergesFileName] where !exists(name) && tokenizerDirectory == url {
            throw TrainingError("\(url.path): \(name) is missing; the tokenizer must be GPT-2's byte-level BPE files vocab.json + merges.txt (or a tokenizer.json of that kind); \(HuggingFaceConfig.supported)")
        }
        let weights = try SafetensorsFile(url: file(ModelCheckpoint.modelFile))
        let layout = ParameterLayout(config: config.model)
        for t in layout.tensors {
            let name = weights.names.contains(t.name) ? t.name : HuggingFaceWeights.prefix + t.name
            let entry = try weights.entry(named: name)
            guard entry.shape == t.shape, [.f32, .f16, .bf16].contains(entry.dtype) else {
                throw TrainingError("\(weights.url.path): tensor \(name) is \(entry.dtype.rawValue) \(entry.shape), expected F32, F16 or BF16 \(t.shape) for the model of config.json")
            }
        }
        try HuggingFaceWeights.checkExtras(weights, layout: layout)
        self.init(directory: url, tokenizerDirectory: tokenizerDirectory, modelConfig: config.model, source: .huggingFace)
    }

    /// The tokenizer, checked to have exactly as many tokens as the model.
    public func tokenizer() throws -> BPETokenizer {
        let tokenizer = try BPETokenizer.load(from: tokenizerDirectory)
        guard tokenizer.vocabSize == modelConfig.vocabSize else {
            throw TrainingError("\(directory.path): the tokenizer has \(tokenizer.vocabSize) tokens but the model \(modelConfig.vocabSize) (vocab_size); init_from needs a tokenizer of exactly the model's vocabulary")
        }
        return tokenizer
    }

    /// Copies the weights into `model`, which must have been built for `modelConfig`.
    public func load(into model: GPTModel) throws {
        guard model.config == modelConfig else {
            throw TrainingError("\(directory.path): the weights are for \(Self.describe(modelConfig)), not \(Self.describe(model.config))")
        }
        try ModelCheckpoint.load(from: directory, into: model, optimizer: nil)
    }

    /// "n_layer 2, n_head 2, n_embd 32, block_size 32, vocab_size 512".
    public static func describe(_ m: GPTConfig) -> String {
        "n_layer \(m.nLayer), n_head \(m.nHead), n_embd \(m.nEmbd), block_size \(m.blockSize), vocab_size \(m.vocabSize)"
            + (m.family == .gpt2 ? "" : ", family \(m.family.rawValue)")
    }
}
