import Checkpoints
import Foundation
import Testing
import TestSupport

/// LoRA on the llama family end to end, from the committed tiny Llama (TrainingTests' Fixtures/
/// llama-greedy/llama-tied: configs/gpt-tiny.json with model.family llama, n_embd 16, 300 steps):
/// PEFT-format adapters with Llama's names, exact resume at another rank count, the validation
/// loss falling, merging, a SEQ_CLS adapter, refusals before MPI.
@Suite(.serialized) struct LoRALlamaTests {
    static let all = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj"
    static let lora = ["--set", "finetune.lora_r=4", "--set", "finetune.lora_alpha=8", "--set", "finetune.lora_dropout=0.1",
                       "--set", "training.lr=1e-2"]

    /// A copy of the tiny Llama step directory, made once (runs only read it; the fixture stays as committed).
    static let base: URL = {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TrainingTests/Fixtures/llama-greedy/llama-tied")
        let copy = try! TestDirectory.make("lora-llama-base").appendingPathComponent("step-0000300")
        try! FileManager.default.copyItem(at: source, to: copy)
        return copy
    }()

    static func finetune(_ config: String, _ dir: URL, run: String = "ft", ranks: Int? = nil, _ extra: [String]) throws -> TrainerProcess.Result {
        try TrainerProcess.run(["finetune", config, "--set", "finetune.init_from=\(base.path)",
                                "--set", "checkpoint.dir=\(dir.path)/\(run)"] + lora + extra, ranks: ranks, timeout: 600)
    }

    /// `trainer COMMAND CHECKPOINT … --json`'s `key`, as an NSObject to compare.
    static func scores(_ command: [String], _ checkpoint: String, _ extra: [String], _ key: String) throws -> NSObject? {
        let result = try TrainerProcess.run([command[0], checkpoint] + command.dropFirst() + extra + ["--json"], timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return object?[key] as? NSObject
    }

    static func json(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    /// Every projection adapted: 6 steps at -n 2 equal 3 at -n 1 resumed for 3 at -n 3, byte for
    /// byte, with exact sums and dropout; adapter_config.json and the names are PEFT's for Llama.
    @Test func resumeAtAnotherRankCountIsExact() throws {
        let dir = try TestDirectory.make("lora-llama-ranks")
        let steps = ["--set", "finetune.lora_targets=\(Self.all)", "--set", "training.max_steps=6", "--set", "training.batch_tokens=192",
                     "--set", "training.micro_batch=1", "--set", "distributed.exact=true", "--set", "eval.every=0", "--set", "checkpoint.every=3"]
        let stdout = try LoRAFinetuneTests.expectResumeAtAnotherRankCountIsExact(dir, steps: steps) {
            try Self.finetune($0, $1, run: $2, ranks: $3, $4)
        }
        #expect(stdout.contains("LoRA r 4, alpha 8.0, dropout 0.1 on \(Self.all): 2944 trainable adapter parameters"), "\(stdout)")
        let step6 = LoRAFinetuneTests.checkpoint(dir, "two", step: 6)
        let config6 = try Self.json(step6.appendingPathComponent("adapter_config.json"))
        #expect(config6["task_type"] as? String == "CAUSAL_LM" && config6["fan_in_fan_out"] as? Bool == false)
        #expect(config6["target_modules"] as? [String] == Self.all.split(separator: ",").map(String.init))
        let names = try SafetensorsFile(url: step6.appendingPathComponent("adapter_model.safetensors")).names
        #expect(names.count == 2 * 2 * 7 && names.contains("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"), "\(names)")
        #expect(!FileManager.default.fileExists(atPath: step6.appendingPathComponent("model.safetensors").path))
    }

    /// PEFT's default targets (q_proj, v_proj): the held-out loss falls; merged, the checkpoint
    /// gives the adapter's logits (sample), loss (eval) and task scores (evaluate), and only q_proj
    /// and v_proj differ from the base, bit for bit.
    @Test func defaultTargetsTrainAndMerge() throws {
        let dir = try TestDirectory.make("lora-llama-merge")
        let trained = try Self.finetune("configs/finetune-instruct-tiny.json", dir,
                                        ["--set", "training.max_steps=30", "--set", "eval.every=15", "--set", "checkpoint.every=0"])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(trained.stdout.contains("on q_proj,v_proj: 512 trainable adapter parameters"), "\(trained.stdout)")
        let evals = try FinetuneTests.evaluations(dir.appendingPathComponent("ft"))
        #expect(evals.count >= 2 && evals.last!.loss < evals.first!.loss - 0.05, "held-out losses \(evals.map(\.loss))")
        let adapter = dir.appendingPathComponent("ft").path, merged = dir.appendingPathComponent("merged")
        let export = try TrainerProcess.run(["export", Self.base.path, "--merge-adapter", adapter, "--out", merged.path], timeout: 60)
        #expect(export.status == 0, "\(export.stderr)")
        let adapted = try LoRAMergeTests.logits([Self.base.path, "--adapter", adapter])
        let plain = try LoRAMergeTests.logits([Self.base.path])
        #expect(adapted == (try LoRAMergeTests.logits([merged.path])))
        let moved = zip(adapted.joined(), plain.joined()).map { abs($0 - $1) }.max()!
        #expect(moved > 1e-3, "the adapter changes the logits by \(moved)")
        // eval and evaluate with --adapter score as the merged checkpoint does.
        for (command, key) in [(["eval", "--data", "data/shakespeare/macbeth.txt"], "loss"), (["evaluate", "data/tasks/shakespeare_speaker.jsonl"], "results")] {
            let viaAdapter = try Self.scores(command, Self.base.path, ["--adapter", adapter], key)
            let viaMerged = try Self.scores(command, merged.path, [], key)
            #expect(viaAdapter != nil && viaAdapter == viaMerged, "\(command[0]): \(String(describing: viaAdapter)) vs \(String(describing: viaMerged))")
        }
        let before = try SafetensorsFile(url: Self.base.appendingPathComponent("model.safetensors"))
        // A language-model adapter's merge keeps the base's state, so its step (300).
        let after = try SafetensorsFile(url: merged.appendingPathComponent("step-0000300/model.safetensors"))
        #expect(before.names.sorted() == after.names.sorted())
        for name in before.names {
            let same = try before.floats(named: name) == after.floats(named: name)
            #expect(same == !(name.hasSuffix("q_proj.weight") || name.hasSuffix("v_proj.weight")), "\(name)")
        }
    }

    /// A LoRA classifier on Llama: SEQ_CLS with PEFT's `score` head; merged, it classifies as the
    /// base with the adapter does, as a LlamaForSequenceClassification checkpoint.
    @Test func classifierAdapterMergesAndClassifies() throws {
        let dir = try TestDirectory.make("lora-llama-classify")
        let result = try Self.finetune("configs/finetune-classify-tiny.json", dir, ["--set", "training.max_steps=10", "--set", "eval.every=0"])
        #expect(result.status == 0, "\(result.stderr)")
        let step = LoRAFinetuneTests.checkpoint(dir, "ft", step: 10)
        let config = try Self.json(step.appendingPathComponent("adapter_config.json"))
        #expect(config["task_type"] as? String == "SEQ_CLS" && config["modules_to_save"] as? [String] == ["score"])
        let names = try SafetensorsFile(url: step.appendingPathComponent("adapter_model.safetensors")).names
        #expect(names.contains("base_model.model.score.weight") && names.contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"))
        let merged = dir.appendingPathComponent("merged")
        let export = try TrainerProcess.run(["export", Self.base.path, "--merge-adapter", step.path, "--out", merged.path], timeout: 60)
        #expect(export.status == 0, "\(export.stderr)")
        for text in ["When shall we three meet again", "Fair is foul, and foul is fair:"] {
            let viaAdapter = try TrainerProcess.run(["classify", Self.base.path, "--adapter", step.path, "--text", text, "--top", "2"], timeout: 60)
            let viaMerged = try TrainerProcess.run(["classify", merged.path, "--text", text, "--top", "2"], timeout: 60)
            #expect(viaAdapter.status == 0 && viaMerged.status == 0, "\(viaAdapter.stderr)\(viaMerged.stderr)")
            #expect(!viaMerged.stdout.isEmpty && viaAdapter.stdout == viaMerged.stdout, "adapter: \(viaAdapter.stdout) merged: \(viaMerged.stdout)")
        }
        let hf = try Self.json(merged.appendingPathComponent("step-0000010/config.json"))
        #expect(hf["architectures"] as? [String] == ["LlamaForSequenceClassification"])
    }

    /// GPT-2's names on a Llama base, and a rank above a Llama matrix: one line each, listing the
    /// family's names or the largest rank.
    @Test func badLlamaTargetsAreOneClearMessage() throws {
        let cases: [([String], String)] = [
            (["finetune.lora_r=4", "finetune.lora_targets=c_attn"], "finetune.lora_targets: \"c_attn\" names no Llama module; use one or more of q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj"),
            (["finetune.lora_r=4", "finetune.lora_targets=q_proj,mlp.c_fc"], "\"mlp.c_fc\" names no Llama module"),
            (["finetune.lora_r=17"], "finetune.lora_r: 17 is larger than self_attn.q_proj's matrix (16 × 16) allows"),
        ]
        for (settings, expected) in cases {
            try FinetuneTests().expectError("configs/finetune-instruct-tiny.json", settings.flatMap { ["--set", $0] }, expected, pretrained: Self.base)
        }
    }
}
