"""Writes Tests/TrainingTests/Fixtures/peft-gpt2-tiny/: a LoRA adapter written by Hugging Face
PEFT itself, for the LoRA loader (issue 26, item 3) to read and reproduce.

- base/: the committed tiny GPT-2 (Tests/TrainingTests/Fixtures/hf-gpt2-tiny) re-saved by
  transformers' save_pretrained, with its tokenizer files;
- adapter/: get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["c_attn"],
  fan_in_fan_out=True, lora_dropout=0, task_type=CAUSAL_LM)), its lora_B drawn nonzero (seeded)
  so that the adapter changes the logits, saved by save_pretrained (adapter_config.json,
  adapter_model.safetensors with PEFT's names);
- logits.json: a fixed prompt, its token ids, and the adapted model's logits (float32, eager
  attention) at three positions, the base model's at the same positions, and the versions.

Rerun (CPU, offline):
  HF_HUB_OFFLINE=1 /work/venv/bin/python reference/make_peft_fixture.py
"""
import json
import os
import shutil

import peft
import torch
import transformers
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoTokenizer, GPT2LMHeadModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "Tests", "TrainingTests", "Fixtures", "hf-gpt2-tiny")
OUT = os.path.join(ROOT, "Tests", "TrainingTests", "Fixtures", "peft-gpt2-tiny")
PROMPT = "When shall we three meet again\nIn thunder, lightning, or in rain?"


def save_adapter(model, adapter_dir, base_path):
    """Draws the adapter's lora_B nonzero (from torch's seeded generator) so that it changes the
    logits, saves it with save_pretrained, drops the generated model card and writes a
    machine-independent base_model_name_or_path (relative to adapter_dir). Returns the saved config."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.copy_(torch.randn_like(p) * 0.5)
    model.save_pretrained(adapter_dir)
    readme = os.path.join(adapter_dir, "README.md")
    if os.path.exists(readme):
        os.remove(readme)
    config_path = os.path.join(adapter_dir, "adapter_config.json")
    with open(config_path) as f:
        saved = json.load(f)
    saved["base_model_name_or_path"] = base_path
    with open(config_path, "w") as f:
        json.dump(saved, f, indent=2, sort_keys=True)
    return saved


def write_logits(path, prompt, ids, reloaded, base_logits):
    """logits.json: the prompt, its ids, the reloaded adapted model's logits and the base's at three
    positions, and the versions. Returns the largest change the adapter makes to the logits."""
    with torch.no_grad():
        logits = reloaded(torch.tensor([ids])).logits[0]
    positions = [0, len(ids) // 2, len(ids) - 1]
    with open(path, "w") as f:
        json.dump({
            "prompt": prompt, "input_ids": ids, "positions": positions,
            "logits": [[float(x) for x in logits[t]] for t in positions],
            "base_logits": [[float(x) for x in base_logits[t]] for t in positions],
            "peft": peft.__version__, "transformers": transformers.__version__, "torch": torch.__version__,
        }, f)
    return (logits - base_logits).abs().max().item()


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    base_dir, adapter_dir = os.path.join(OUT, "base"), os.path.join(OUT, "adapter")
    tokenizer = AutoTokenizer.from_pretrained(SOURCE)
    base = GPT2LMHeadModel.from_pretrained(SOURCE, attn_implementation="eager").eval()
    base.save_pretrained(base_dir)
    tokenizer.save_pretrained(base_dir)
    for name in ("vocab.json", "merges.txt"):
        shutil.copy(os.path.join(SOURCE, name), base_dir)
    ids = tokenizer.encode(PROMPT)
    with torch.no_grad():
        base_logits = base(torch.tensor([ids])).logits[0]
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["c_attn"], fan_in_fan_out=True, lora_dropout=0.0,
                        task_type="CAUSAL_LM", init_lora_weights=True)
    torch.manual_seed(1)
    model = get_peft_model(GPT2LMHeadModel.from_pretrained(base_dir, attn_implementation="eager"), config).eval()
    save_adapter(model, adapter_dir, "../base")
    reloaded = PeftModel.from_pretrained(GPT2LMHeadModel.from_pretrained(base_dir, attn_implementation="eager"), adapter_dir).eval()
    change = write_logits(os.path.join(OUT, "logits.json"), PROMPT, ids, reloaded, base_logits)
    print(f"prompt: {len(ids)} tokens; the adapter changes the logits by up to {change:.4f}")
    for root, _, files in os.walk(OUT):
        for name in sorted(files):
            print(os.path.relpath(os.path.join(root, name), OUT), os.path.getsize(os.path.join(root, name)))


if __name__ == "__main__":
    main()
