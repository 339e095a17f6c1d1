import Checkpoints
import Foundation
import Testing
import TestSupport

/// `training.init_from` and `finetune.init_from` with the GPT-2 directory transformers wrote
/// (Tests/TrainingTests/Fixtures/hf-gpt2-tiny, from reference/make_hf_fixture.py).
@Suite struct InitFromTests {
    static let fixture = TrainerProcess.root.appendingPathComponent("Tests/TrainingTests/Fixtures/hf-gpt2-tiny")

    @Test func pretrainingStartsFromHuggingFaceWeightsAndTokenizer() throws {
        let dir = try TestDirectory.make("init-from")
        // One step at a learning rate too small to move a weight: the checkpoint holds the imported weights.
        let result = try TrainerProcess.run(["configs/gpt-tiny.json", "--set", "training.init_from=\(Self.fixture.path)",
                                             "--set", "training.lr=1e-9", "--set", "training.min_lr=1e-9"]
                                            + TinyRun.settings(dir, steps: 1), ranks: 2, timeout: 300)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("context 64, vocab 320"), "the model section must be the fixture's: \(result.stdout)")
        #expect(FileManager.default.contents(atPath: dir.appendingPathComponent("data/vocab.json").path)
                == FileManager.default.contents(atPath: Self.fixture.appendingPathComponent("vocab.json").path))
        let ours = try SafetensorsFile(url: dir.appendingPathComponent("run/step-0000001/model.safetensors"))
        let theirs = try SafetensorsFile(url: Self.fixture.appendingPathComponent("model.safetensors"))
        #expect(ours.names.count == 28)
        for name in ours.names {
            let a = try ours.floats(named: name), b = try theirs.floats(named: "transformer." + name)
            #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(name) is not the imported tensor")
        }
    }

    @Test func finetuningStartsFromAHuggingFaceDirectory() throws {
        let dir = try TestDirectory.make("init-from-ft")
        let result = try TrainerProcess.run(["finetune", "configs/finetune-classify-tiny.json", "--set", "finetune.init_from=\(Self.fixture.path)",
                                             "--set", "checkpoint.dir=\(dir.path)/ft", "--set", "training.max_steps=2"], timeout: 300)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("ft/step-0000002/config.json"))) as! [String: Any]
        #expect(config["id2label"] as? [String: String] == ["0": "prose", "1": "verse"])
        #expect(config["n_positions"] as? Int == 64)
    }

    @Test func anUnsupportedModelIsOneLine() throws {
        let dir = try TestDirectory.make("init-from-bad")
        let model = dir.appendingPathComponent("llama")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try Data(#"{"model_type": "mistral", "hidden_size": 64}"#.utf8).write(to: model.appendingPathComponent("config.json"))
        let result = try TrainerProcess.run(["configs/gpt-tiny.json", "--set", "training.init_from=\(model.path)"] + TinyRun.settings(dir),
                                            ranks: 2, timeout: 120)
        #expect(!result.timedOut && result.status != 0)
        #expect(result.stderr.contains("model_type \"mistral\" is not supported; init_from takes"), "stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").filter { $0.contains("error") }.count == 1, "stderr: \(result.stderr)")
    }

    /// A Llama (and a Qwen3) directory as transformers saves one, without our state.json: its
    /// config.json read as LlamaConfig, its model section taken whole (family, sizes, tying), its
    /// weights loaded as they are.
    @Test(arguments: [false, true]) func pretrainingStartsFromAHuggingFaceLlamaDirectory(qkNorm: Bool) throws {
        let dir = try TestDirectory.make("init-from-llama")
        let llama = ["--set", "model.family=llama", "--set", "model.qk_norm=\(qkNorm)", "--set", "model.tied_head=false"]
        try TinyRun.train(dir, run: "llama", steps: 2, llama + ["--set", "eval.every=0"])
        let hf = dir.appendingPathComponent("hf")
        try FileManager.default.createDirectory(at: hf, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors", "vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: dir.appendingPathComponent("llama/step-0000002/\(name)"), to: hf.appendingPathComponent(name))
        }
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: hf.appendingPathComponent("config.json"))) as? [String: Any]
        #expect(config?["model_type"] as? String == (qkNorm ? "qwen3" : "llama"))
        // The config given names gpt2: the directory's model replaces it, and lr 1e-9 leaves its weights as they were.
        let result = try TrainerProcess.run(["configs/gpt-tiny.json", "--set", "training.init_from=\(hf.path)", "--set", "training.lr=1e-9",
                                             "--set", "training.min_lr=1e-9", "--set", "checkpoint.dir=\(dir.path)/continued",
                                             "--set", "data.dir=\(dir.path)/data-continued", "--set", "training.max_steps=1"], ranks: 2, timeout: 300)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("note: model: taken from \(hf.path)"), "stdout: \(result.stdout)")
        let ours = try SafetensorsFile(url: dir.appendingPathComponent("continued/step-0000001/model.safetensors"))
        let theirs = try SafetensorsFile(url: hf.appendingPathComponent("model.safetensors"))
        #expect(Set(ours.names) == Set(theirs.names) && ours.names.contains("lm_head.weight"))
        for name in ours.names {
            let a = try ours.floats(named: name), b = try theirs.floats(named: name)
            #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(name) is not the imported tensor")
        }
    }
}
