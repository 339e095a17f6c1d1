"""Writes Tests/TrainingTests/Fixtures/peft-llama-tiny/: LoRA adapters written by Hugging Face PEFT
itself on the two tiny Llama-family checkpoints of Tests/TrainingTests/Fixtures/llama-greedy (our
own step directories, which transformers loads as they are), for PEFTLlamaAdapterTests to read and
reproduce (issue 26, items 1-3 for llama).

For each case, CASE/:
- adapter/: get_peft_model(base, LoraConfig(r, lora_alpha, target_modules, fan_in_fan_out=False,
  lora_dropout=0, task_type=CAUSAL_LM)), its lora_B drawn nonzero (seeded) so that the adapter
  changes the logits, saved by save_pretrained (adapter_config.json, adapter_model.safetensors with
  PEFT's names, base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight, ...), its
  base_model_name_or_path made relative (../../llama-greedy/NAME, from adapter/);
- logits.json: a fixed prompt, its token ids, PEFT's logits (float32, eager attention) at three
  positions after reloading the saved adapter with PeftModel.from_pretrained, the base model's at
  the same positions, and the versions.

Cases: llama-tied (LlamaForCausalLM) with all seven projections, r 4, alpha 8; qwen3-untied
(Qwen3ForCausalLM: the adapters on q and k sit before q_norm and k_norm) with q_proj, k_proj,
down_proj, r 2, alpha 16.

Rerun (CPU, offline; only if the llama-greedy checkpoints change):
  HF_HUB_OFFLINE=1 /work/venv-lora/bin/python reference/make_peft_llama_fixture.py
"""
import os
import shutil

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

from make_peft_fixture import save_adapter, write_logits

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests", "TrainingTests", "Fixtures")
OUT = os.path.join(FIXTURES, "peft-llama-tiny")
PROMPT = "MACBETH.\nSo foul and fair a day I have not seen."
ALL = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
CASES = [("llama-tied", "LlamaForCausalLM", 4, 8, ALL), ("qwen3-untied", "Qwen3ForCausalLM", 2, 16, ["q_proj", "k_proj", "down_proj"])]


def load(base_dir):
    return AutoModelForCausalLM.from_pretrained(base_dir, attn_implementation="eager", dtype=torch.float32).eval()


def write_case(name, cls, r, alpha, targets, seed):
    base_dir = os.path.join(FIXTURES, "llama-greedy", name)
    out = os.path.join(OUT, name)
    adapter_dir = os.path.join(out, "adapter")
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    base = load(base_dir)
    assert type(base).__name__ == cls, f"{name}: transformers built {type(base).__name__}, not {cls}"
    ids = tokenizer(PROMPT)["input_ids"]
    with torch.no_grad():
        base_logits = base(torch.tensor([ids])).logits[0]
    config = LoraConfig(r=r, lora_alpha=alpha, target_modules=targets, fan_in_fan_out=False, lora_dropout=0.0,
                        task_type="CAUSAL_LM", init_lora_weights=True)
    torch.manual_seed(seed)
    model = get_peft_model(load(base_dir), config).eval()
    saved = save_adapter(model, adapter_dir, f"../../llama-greedy/{name}")
    reloaded = PeftModel.from_pretrained(load(base_dir), adapter_dir).eval()
    change = write_logits(os.path.join(out, "logits.json"), PROMPT, ids, reloaded, base_logits)
    print(f"{name}: {cls}, r {r}, alpha {alpha}, targets {sorted(saved['target_modules'])}; "
          f"prompt {len(ids)} tokens; the adapter changes the logits by up to {change:.4f}")


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    for seed, case in enumerate(CASES, start=1):
        write_case(*case, seed=seed)
    for root, _, files in os.walk(OUT):
        for name in sorted(files):
            print(os.path.relpath(os.path.join(root, name), OUT), os.path.getsize(os.path.join(root, name)))


if __name__ == "__main__":
    main()
