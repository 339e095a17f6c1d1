"""Loads a LoRA adapter trained by this trainer with Hugging Face PEFT, as a user would, and
compares its logits with ours.

  HF_HUB_OFFLINE=1 /work/venv/bin/python reference/check_peft_adapter.py BASE ADAPTER [--prompt TEXT]

BASE: the checkpoint the adapter was trained on (finetune.init_from; transformers loads our
checkpoints as they are). ADAPTER: a step directory of a LoRA fine-tune (adapter_config.json,
adapter_model.safetensors). Prints PEFT's load report, the largest |PEFT − ours| over every
position's logits (ours from `trainer sample BASE --adapter ADAPTER --logits`), the same for the
base alone (how much the adapter changes), and PEFT's greedy continuation beside ours.
"""
import argparse
import json
import os
import subprocess

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAINER = os.path.join(ROOT, ".build", "release", "trainer")


def ours(args, *extra):
    out = subprocess.run([TRAINER, "sample", args.base, "--adapter", args.adapter, "--prompt", args.prompt, *extra],
                         check=True, capture_output=True, text=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    return out.stdout


def main():
    p = argparse.ArgumentParser()
    p.add_argument("base")
    p.add_argument("adapter")
    p.add_argument("--prompt", default="KING:\nWhat news?")
    p.add_argument("--max-new-tokens", type=int, default=12)
    args = p.parse_args()
    base = AutoModelForCausalLM.from_pretrained(args.base, attn_implementation="eager").eval()
    model = PeftModel.from_pretrained(base, args.adapter).eval()
    tokenizer = AutoTokenizer.from_pretrained(args.base)
    config = model.peft_config["default"]
    print(f"PEFT {type(model).__name__}: r {config.r}, alpha {config.lora_alpha}, targets {sorted(config.target_modules)}, "
          f"{sum(p.numel() for n, p in model.named_parameters() if 'lora_' in n)} adapter parameters")
    mine = json.loads(ours(args, "--logits"))
    ids = torch.tensor([mine["input_ids"]])
    assert tokenizer(args.prompt)["input_ids"] == mine["input_ids"], "tokenizers differ"
    with torch.no_grad():
        theirs = model(ids).logits[0]
        with model.disable_adapter():
            plain = model(ids).logits[0]
    mine = torch.tensor(mine["logits"])
    print(f"{ids.shape[1]} positions: max |PEFT - ours| = {(theirs - mine).abs().max().item():.3g}; "
          f"the adapter moves PEFT's logits by up to {(theirs - plain).abs().max().item():.3g}")
    out = model.generate(input_ids=ids, max_new_tokens=args.max_new_tokens, do_sample=False)
    print("PEFT greedy:", json.dumps(tokenizer.decode(out[0])))
    print("ours greedy:", json.dumps(ours(args, "--temperature", "0", "--max-tokens", str(args.max_new_tokens), "--echo")[:-1]))


if __name__ == "__main__":
    main()
