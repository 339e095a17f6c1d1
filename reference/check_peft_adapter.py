"""Loads a LoRA adapter trained by this trainer with Hugging Face PEFT, as a user would, and
compares its outputs with ours; GPT-2 and Llama-family (LlamaForCausalLM, Qwen3ForCausalLM) bases.

  HF_HUB_OFFLINE=1 /work/venv-lora/bin/python reference/check_peft_adapter.py BASE ADAPTER [--prompt TEXT]

BASE: the checkpoint the adapter was trained on (finetune.init_from; transformers loads our
checkpoints as they are). ADAPTER: a step directory of a LoRA fine-tune (adapter_config.json,
adapter_model.safetensors, state.json).

CAUSAL_LM adapters: prints PEFT's load report, the largest |PEFT − ours| over every position's
logits (ours from `trainer sample BASE --adapter ADAPTER --logits`), the same for the base alone
(how much the adapter changes), and PEFT's greedy continuation beside ours.

SEQ_CLS adapters (finetune.task classify): the base loaded with AutoModelForSequenceClassification
(num_labels from the adapter's state.json, no pad token: the features of the last token, which is
<|endoftext|> as `trainer classify` appends it), the `score` head from the adapter's
modules_to_save; prints the largest |PEFT − ours| over the class probabilities of a few texts
(ours from `trainer classify --top N`, printed to 4 decimals, so up to 5e-5 is rounding).
"""
import argparse
import json
import os
import subprocess

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAINER = os.path.join(ROOT, ".build", "release", "trainer")
TEXTS = ["When shall we three meet again", "Fair is foul, and foul is fair:", "To be, or not to be"]


def trainer(*arguments):
    out = subprocess.run([TRAINER, *arguments], check=True, capture_output=True, text=True,
                         env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    return out.stdout


def ours(args, *extra):
    return trainer("sample", args.base, "--adapter", args.adapter, "--prompt", args.prompt, *extra)


def report(model):
    config = model.peft_config["default"]
    print(f"PEFT {type(model).__name__} over {type(model.get_base_model()).__name__}: r {config.r}, alpha {config.lora_alpha}, "
          f"targets {sorted(config.target_modules)}, fan_in_fan_out {config.fan_in_fan_out}, "
          f"{sum(p.numel() for n, p in model.named_parameters() if 'lora_' in n)} adapter parameters")


def check_language_model(args):
    base = AutoModelForCausalLM.from_pretrained(args.base, attn_implementation="eager").eval()
    model = PeftModel.from_pretrained(base, args.adapter).eval()
    tokenizer = AutoTokenizer.from_pretrained(args.base)
    report(model)
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
    out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=args.max_new_tokens,
                         do_sample=False, pad_token_id=tokenizer.eos_token_id)
    print("PEFT greedy:", json.dumps(tokenizer.decode(out[0])))
    print("ours greedy:", json.dumps(ours(args, "--temperature", "0", "--max-tokens", str(args.max_new_tokens), "--echo")[:-1]))


def check_classifier(args):
    with open(os.path.join(args.adapter, "state.json")) as f:
        labels = [s.strip() for s in json.load(f)["config"]["finetune"]["labels"].split(",") if s.strip()]
    base = AutoModelForSequenceClassification.from_pretrained(args.base, num_labels=len(labels), attn_implementation="eager")
    base.config.pad_token_id = None  # batch 1: the last token's features, as ours
    model = PeftModel.from_pretrained(base.eval(), args.adapter).eval()
    tokenizer = AutoTokenizer.from_pretrained(args.base)
    report(model)
    worst = 0.0
    for text in TEXTS:
        ids = torch.tensor([tokenizer(text)["input_ids"] + [tokenizer.eos_token_id]])
        with torch.no_grad():
            theirs = torch.softmax(model(ids).logits[0], -1)
        printed = trainer("classify", args.base, "--adapter", args.adapter, "--text", text, "--top", str(len(labels)))
        mine = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in printed.splitlines()}
        difference = max(abs(theirs[k].item() - mine[label]) for k, label in enumerate(labels))
        worst = max(worst, difference)
        print(f"{json.dumps(text)}: PEFT {[round(p, 4) for p in theirs.tolist()]}, ours {[mine[label] for label in labels]}")
    print(f"{len(TEXTS)} texts, {len(labels)} labels {labels}: max |PEFT - ours| probability = {worst:.3g} (ours printed to 4 decimals)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("base")
    p.add_argument("adapter")
    p.add_argument("--prompt", default="KING:\nWhat news?")
    p.add_argument("--max-new-tokens", type=int, default=12)
    args = p.parse_args()
    with open(os.path.join(args.adapter, "adapter_config.json")) as f:
        task = json.load(f).get("task_type")
    (check_classifier if task == "SEQ_CLS" else check_language_model)(args)


if __name__ == "__main__":
    main()
