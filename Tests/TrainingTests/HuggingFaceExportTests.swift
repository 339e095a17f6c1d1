import Checkpoints
import Data
import Foundation
import GPT
import ModelFiles
import Testing
import Training

/// The files a checkpoint gets so that transformers loads it as it is; checked here against our own
/// Hugging Face reader (reference/check_hf_checkpoint.py checks them with transformers itself).
@Suite struct HuggingFaceExportTests {
    static let fixture = HuggingFaceImportTests.fixture

    /// Runs every writer into `directory`, as CheckpointStore.save does into its temporary directory.
    static func export(_ files: [(name: String, write: (URL) throws -> Void)], to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for f in files { try f.write(directory.appendingPathComponent(f.name)) }
    }

    static func json(_ directory: URL, _ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent(name))) as! [String: Any]
    }

    static func importedModel() throws -> (PretrainedWeights, GPTModel) {
        let pretrained = try PretrainedWeights.open(fixture.path)
        let model = GPTModel(config: pretrained.modelConfig, maxBatch: 1, maxSequence: 16)
        try pretrained.load(into: model)
        return (pretrained, model)
    }

    @Test func languageModelCheckpointReadsBackAsAHuggingFaceDirectory() throws {
        let (pretrained, model) = try Self.importedModel()
        // TRAINER_HF_EXPORT_DIR keeps the export, for reference/check_hf_checkpoint.py.
        let keep = ProcessInfo.processInfo.environment["TRAINER_HF_EXPORT_DIR"].map { URL(fileURLWithPath: $0) }
        let dir = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("hf-export-\(UUID().uuidString)")
        defer { if keep == nil { try? FileManager.default.removeItem(at: dir) } }
        try Self.export(ModelCheckpoint.writers(model: model, optimizer: nil, tokenizerDirectory: pretrained.tokenizerDirectory), to: dir)

        let names = try SafetensorsFile(url: dir.appendingPathComponent("model.safetensors")).names
        #expect(names == model.layout.tensors.map(\.name))
        #expect(try HuggingFaceImportTests.maxLogitError(dir) <= 1e-4)
        let eos = Int(try pretrained.tokenizer().endOfText)
        let config = try Self.json(dir, "config.json")
        #expect(config["model_type"] as? String == "gpt2" && config["activation_function"] as? String == "gelu_new")
        #expect(config["architectures"] as? [String] == ["GPT2LMHeadModel"])
        #expect(config["n_positions"] as? Int == 64 && config["n_ctx"] as? Int == 64 && config["vocab_size"] as? Int == 320)
        #expect(config["eos_token_id"] as? Int == eos && config["bos_token_id"] as? Int == eos)
        #expect(config["tie_word_embeddings"] as? Bool == true && config["pad_token_id"] == nil)
        let tokenizer = try Self.json(dir, "tokenizer_config.json")
        #expect(tokenizer["tokenizer_class"] as? String == "GPT2Tokenizer" && tokenizer["eos_token"] as? String == "<|endoftext|>")
        #expect(tokenizer["pad_token"] == nil)
        #expect(try Self.json(dir, "generation_config.json")["eos_token_id"] as? Int == eos)
        #expect(try Self.json(dir, "special_tokens_map.json")["bos_token"] as? String == "<|endoftext|>")
    }

    @Test func classifierCheckpointIsASequenceClassificationModel() throws {
        let (pretrained, model) = try Self.importedModel()
        let head = ClassifierHead(classes: 3, channels: model.config.nEmbd)
        var rng = SplitMix64(seed: 3)
        head.initialize(using: &rng)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hf-classify-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let labels = ["comedy", "history", "tragedy"]
        try Self.export(ModelCheckpoint.writers(model: model, optimizer: nil, tokenizerDirectory: pretrained.tokenizerDirectory,
                                                classifier: (head, labels)), to: dir)

        let names = try SafetensorsFile(url: dir.appendingPathComponent("model.safetensors")).names
        #expect(names == model.layout.tensors.map { "transformer." + $0.name } + ["score.weight"])
        let copy = GPTModel(config: model.config, maxBatch: 1, maxSequence: 16)
        try ModelCheckpoint.load(from: dir, into: copy, optimizer: nil)
        #expect(Array(copy.parameters) == Array(model.parameters))
        #expect(ModelCheckpoint.hasClassifier(in: dir))
        let headCopy = ClassifierHead(classes: 3, channels: model.config.nEmbd)
        try ModelCheckpoint.loadClassifier(from: dir, into: headCopy)
        #expect(Array(headCopy.weight) == Array(head.weight))

        let config = try Self.json(dir, "config.json")
        let eos = Int(try pretrained.tokenizer().endOfText)
        #expect(config["architectures"] as? [String] == ["GPT2ForSequenceClassification"])
        #expect(config["id2label"] as? [String: String] == ["0": "comedy", "1": "history", "2": "tragedy"])
        #expect(config["label2id"] as? [String: Int] == ["comedy": 0, "history": 1, "tragedy": 2])
        // Padding must not be <|endoftext|>: transformers pools at the last token that is not padding.
        let pad = try #require(config["pad_token_id"] as? Int)
        #expect(pad != eos)
        let tokenizer = try Self.json(dir, "tokenizer_config.json")
        #expect(try pretrained.tokenizer().encode(tokenizer["pad_token"] as? String ?? "", allowSpecial: false).count >= 1)
    }
}
