import Foundation
import Testing
import TestSupport

/// `trainer finetune` with finetune.lora_r > 0, end to end, from FinetuneTests' pre-trained gpt-tiny:
/// PEFT-format checkpoints, exact resume at another rank count, refusals before MPI.
@Suite(.serialized) struct LoRAFinetuneTests {
    static let lora = ["--set", "finetune.lora_r=4", "--set", "finetune.lora_alpha=8", "--set", "finetune.lora_dropout=0.1",
                       "--set", "finetune.lora_targets=c_attn,c_proj", "--set", "training.lr=1e-2"]

    static func checkpoint(_ dir: URL, _ run: String, step: Int) -> URL {
        dir.appendingPathComponent(run).appendingPathComponent(String(format: "step-%07d", step))
    }

    /// `finetune` (config, directory, run, ranks, extra arguments) run 6 steps at -n 2 ("two") and
    /// 3 steps at -n 1 resumed for 3 more at -n 3 ("split"), with `steps`: the four adapter files
    /// of step 6 must be the same bytes. Returns the -n 2 run's stdout.
    static func expectResumeAtAnotherRankCountIsExact(
        _ dir: URL, steps: [String],
        finetune: (String, URL, String, Int?, [String]) throws -> TrainerProcess.Result
    ) throws -> String {
        let config = "configs/finetune-instruct-tiny.json"
        let two = try finetune(config, dir, "two", 2, steps)
        #expect(two.status == 0, "\(two.stderr)")
        #expect(try finetune(config, dir, "split", nil, steps + ["--until-step", "3"]).status == 0)
        let resumed = try finetune(config, dir, "split", 3, steps + ["--resume"])
        #expect(resumed.status == 0 && resumed.stdout.contains("resumed at step 3"), "\(resumed.stderr)")
        for file in ["adapter_model.safetensors", "adapter_optimizer.safetensors", "adapter_config.json", "lora_base.json"] {
            let a = try Data(contentsOf: checkpoint(dir, "two", step: 6).appendingPathComponent(file))
            let b = try Data(contentsOf: checkpoint(dir, "split", step: 6).appendingPathComponent(file))
            #expect(a == b, "\(file) differs after resume at -n 3")
        }
        return two.stdout
    }

    /// 6 steps at -n 2 equal 3 steps at -n 1 resumed for 3 more at -n 3, byte for byte, with
    /// exact sums (dropout on: its mask follows the sample, not the rank).
    @Test func resumeAtAnotherRankCountIsExact() throws {
        let dir = try TestDirectory.make("lora-ranks")
        let steps = Self.lora + ["--set", "training.max_steps=6", "--set", "training.batch_tokens=192", "--set", "training.micro_batch=1",
                                 "--set", "distributed.exact=true", "--set", "eval.every=0", "--set", "checkpoint.every=3"]
        let stdout = try Self.expectResumeAtAnotherRankCountIsExact(dir, steps: steps) {
            try FinetuneTests.finetune($0, $1, run: $2, ranks: $3, $4)
        }
        #expect(stdout.contains("LoRA r 4, alpha 8.0, dropout 0.1 on c_attn,c_proj: 2816 trainable adapter parameters"), "\(stdout)")
        // The adapter trained (B moved from zero) and the checkpoint holds no copy of the base.
        let step6 = Self.checkpoint(dir, "two", step: 6), step3 = Self.checkpoint(dir, "two", step: 3)
        #expect(try Data(contentsOf: step6.appendingPathComponent("adapter_model.safetensors")) != Data(contentsOf: step3.appendingPathComponent("adapter_model.safetensors")))
        #expect(!FileManager.default.fileExists(atPath: step6.appendingPathComponent("model.safetensors").path))
        let config6 = try JSONSerialization.jsonObject(with: Data(contentsOf: step6.appendingPathComponent("adapter_config.json"))) as! [String: Any]
        #expect(config6["peft_type"] as? String == "LORA" && config6["task_type"] as? String == "CAUSAL_LM" && config6["r"] as? Int == 4)
        #expect(config6["target_modules"] as? [String] == ["c_attn", "c_proj"] && config6["fan_in_fan_out"] as? Bool == true)
        #expect(config6["base_model_name_or_path"] as? String == FinetuneTests.pretrained.appendingPathComponent("step-0000040").path)
    }

    /// A LoRA classifier: the head is saved as PEFT's modules_to_save `score`, task SEQ_CLS.
    @Test func classifierAdapterSavesTheHead() throws {
        let dir = try TestDirectory.make("lora-classify")
        let result = try FinetuneTests.finetune("configs/finetune-classify-tiny.json", dir, Self.lora + ["--set", "training.max_steps=40", "--set", "eval.every=20", "--set", "checkpoint.every=20"])
        #expect(result.status == 0, "\(result.stderr)")
        let step = Self.checkpoint(dir, "ft", step: 40)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: step.appendingPathComponent("adapter_config.json"))) as! [String: Any]
        #expect(config["task_type"] as? String == "SEQ_CLS" && config["modules_to_save"] as? [String] == ["score"])
        let header = try Data(contentsOf: step.appendingPathComponent("adapter_model.safetensors"))
        #expect(String(decoding: header.prefix(4096), as: UTF8.self).contains("\"base_model.model.score.weight\""))
        // On this 40-step base a frozen trunk does not learn the task (neither does freeze_layers
        // 1 or 2; README, "LoRA"), so only the run's health is checked here, and that the head moved.
        let evals = try FinetuneTests.evaluations(dir.appendingPathComponent("ft"))
        #expect(evals.count == 3 && evals.allSatisfy { $0.loss.isFinite })
        let head20 = try Data(contentsOf: Self.checkpoint(dir, "ft", step: 20).appendingPathComponent("adapter_model.safetensors"))
        #expect(head20 != header)
    }

    /// Each bad LoRA setting: one line naming the field and the fix, before MPI starts.
    @Test func badLoRASettingsAreOneClearMessage() throws {
        let cases: [([String], String)] = [
            (["finetune.lora_r=4", "finetune.lora_targets=q_proj"], "finetune.lora_targets: \"q_proj\" names no GPT-2 module; use one or more of c_attn, c_proj, c_fc"),
            (["finetune.lora_r=33"], "finetune.lora_r: 33 is larger than attn.c_attn's matrix (32 × 96) allows"),
            (["finetune.lora_r=-1"], "finetune.lora_r: -1 must be 0 (LoRA off)"),
            (["finetune.lora_r=4", "finetune.lora_dropout=1"], "finetune.lora_dropout: 1.0 must be in [0, 1)"),
            (["finetune.lora_r=4", "finetune.freeze_layers=1"], "LoRA already freezes the whole base, so set finetune.freeze_layers 0"),
            (["finetune.lora_r=4", "training.optimizer=muon"], "training.optimizer: \"muon\" does not train LoRA adapters"),
        ]
        for (settings, expected) in cases {
            try FinetuneTests().expectError("configs/finetune-instruct-tiny.json", settings.flatMap { ["--set", $0] }, expected)
        }
    }
}

/// `trainer export --merge-adapter`: the merged checkpoint computes the adapted model's logits;
/// an adapter onto another base is refused with one line.
@Suite(.serialized) struct LoRAMergeTests {
    static func logits(_ arguments: [String]) throws -> [[Double]] {
        let result = try TrainerProcess.run(["sample"] + arguments + ["--prompt", "KING:\nWhat news?", "--logits"], timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        return object["logits"] as! [[Double]]
    }

    /// Trains a 10-step LoRA fine-tune of `config` on the shared base and merges it into `dir/merged`.
    static func trainAndMerge(_ config: String, _ name: String) throws -> (dir: URL, base: String, adapter: String, merged: URL) {
        let dir = try TestDirectory.make(name)
        let trained = try FinetuneTests.finetune(config, dir, LoRAFinetuneTests.lora + ["--set", "training.max_steps=10", "--set", "eval.every=0"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let base = FinetuneTests.pretrained.appendingPathComponent("step-0000040").path, adapter = dir.appendingPathComponent("ft").path
        let merged = dir.appendingPathComponent("merged")
        let export = try TrainerProcess.run(["export", base, "--merge-adapter", adapter, "--out", merged.path], timeout: 60)
        #expect(export.status == 0, "\(export.stderr)")
        return (dir, base, adapter, merged)
    }

    @Test func mergedCheckpointGivesTheAdaptedLogits() throws {
        let (dir, base, adapter, mergedDir) = try Self.trainAndMerge("configs/finetune-instruct-tiny.json", "lora-merge")
        let adapted = try Self.logits([base, "--adapter", adapter])
        let merged = try Self.logits([mergedDir.path])
        let plain = try Self.logits([base])
        #expect(adapted == merged)
        let moved = zip(adapted.joined(), plain.joined()).map { abs($0 - $1) }.max()!
        #expect(moved > 1e-3, "the adapter changes the logits by \(moved)")
        let other = FinetuneTests.pretrained.appendingPathComponent("step-0000030").path
        let refused = try TrainerProcess.run(["export", other, "--merge-adapter", adapter, "--out", dir.appendingPathComponent("wrong").path], timeout: 60)
        #expect(refused.status != 0 && refused.stderr.contains("apply it to its own base"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").filter { $0.contains("error") }.count == 1, "\(refused.stderr)")
    }

    /// A classification adapter merges into a classification fine-tune's checkpoint: the head and
    /// labels travel with it, and it classifies as the base with the adapter on top does.
    @Test func aMergedClassifierClassifiesAsTheAdapterDoes() throws {
        let (_, base, adapter, merged) = try Self.trainAndMerge("configs/finetune-classify-tiny.json", "lora-merge-classify")
        for text in ["When shall we three meet again", "Fair is foul, and foul is fair:"] {
            let viaAdapter = try TrainerProcess.run(["classify", base, "--adapter", adapter, "--text", text, "--top", "2"], timeout: 60)
            let viaMerged = try TrainerProcess.run(["classify", merged.path, "--text", text, "--top", "2"], timeout: 60)
            #expect(viaAdapter.status == 0 && viaMerged.status == 0, "\(viaAdapter.stderr)\(viaMerged.stderr)")
            #expect(!viaMerged.stdout.isEmpty && viaAdapter.stdout == viaMerged.stdout, "adapter: \(viaAdapter.stdout) merged: \(viaMerged.stdout)")
        }
        let step = merged.appendingPathComponent("step-0000010")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: step.appendingPathComponent("config.json"))) as! [String: Any]
        #expect(config["architectures"] as? [String] == ["GPT2ForSequenceClassification"] && (config["id2label"] as? [String: String])?.count == 2)
        #expect(!FileManager.default.fileExists(atPath: step.appendingPathComponent("adapter_config.json").path))
    }
}
