"""Writes Tests/TrainingTests/Fixtures/llama-greedy/greedy.json: transformers' greedy continuation of
two tiny Llama-family checkpoints written by this trainer, for LlamaGreedyTests.swift to reproduce
with `trainer sample --temperature 0`'s generator.

The checkpoints beside it are step directories of our own runs, copied as they are (config.json,
model.safetensors, tokenizer files, state.json, ...). Made with (gpt-tiny's Macbeth data, 300 steps):

  for v in "llama-tied false true" "qwen3-untied true false"; do set -- $v
    .build/release/trainer configs/gpt-tiny.json --set model.family=llama --set model.n_embd=16 \
      --set model.qk_norm=$2 --set model.tied_head=$3 --set training.max_steps=300 \
      --set training.lr=0.01 --set training.min_lr=0.001 \
      --set checkpoint.dir=/tmp/llama-greedy/$1 --set checkpoint.every=0
    rm -rf Tests/TrainingTests/Fixtures/llama-greedy/$1
    cp -r /tmp/llama-greedy/$1/step-0000300 Tests/TrainingTests/Fixtures/llama-greedy/$1
  done

For each checkpoint this loads the directory with AutoModelForCausalLM and AutoTokenizer as a user
would (so config.json, the tensor names and the tokenizer files are what is checked), asserts the
class (LlamaForCausalLM without qk_norm, Qwen3ForCausalLM with it), and for each prompt records the
ids the tokenizer gives it and the ids `generate(do_sample=False)` adds, up to block_size or
<|endoftext|>, with the smallest gap between the best and the second-best logit on the way (how
far float rounding is from changing a pick). The committed config.json is also kept in the JSON so
that the test can tell when our exporter would write something transformers was not shown.

Rerun (only if the checkpoints change): HF_HUB_OFFLINE=1 /work/venv/bin/python reference/make_llama_greedy_fixture.py
"""
import json
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch
import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TrainingTests", "Fixtures", "llama-greedy")
CASES = [("llama-tied", "LlamaForCausalLM"), ("qwen3-untied", "Qwen3ForCausalLM")]
PROMPTS = ["Fair is foul", "MACBETH.\nWhat is", "The"]


def greedy(model, tokenizer, prompt):
    ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
    room = model.config.max_position_embeddings - ids.shape[1]
    with torch.no_grad():
        out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=room, do_sample=False,
                             output_scores=True, return_dict_in_generate=True, pad_token_id=tokenizer.eos_token_id)
    new = out.sequences[0, ids.shape[1]:].tolist()
    if tokenizer.eos_token_id in new:
        new = new[: new.index(tokenizer.eos_token_id)]  # our generator stops without emitting it
    margin = min(float(s[0].topk(2).values[0] - s[0].topk(2).values[1]) for s in out.scores[: max(1, len(new))])
    return {"prompt": prompt, "input_ids": ids[0].tolist(), "generated": new, "text": tokenizer.decode(new), "min_margin": margin}


def main():
    cases = []
    for name, cls in CASES:
        directory = os.path.join(ROOT, name)
        model = AutoModelForCausalLM.from_pretrained(directory).eval()
        tokenizer = AutoTokenizer.from_pretrained(directory)
        assert type(model).__name__ == cls, f"{name}: transformers built {type(model).__name__}, not {cls}"
        with open(os.path.join(directory, "config.json")) as f:
            config = json.load(f)
        results = [greedy(model, tokenizer, p) for p in PROMPTS]
        cases.append({"name": name, "class": cls, "config": config, "prompts": results})
        for r in results:
            print(f"{name} ({cls}): {r['prompt']!r} -> {r['text']!r} ({len(r['generated'])} tokens, min margin {r['min_margin']:.3g})")
    fixture = {"transformers": transformers.__version__, "torch": torch.__version__, "cases": cases}
    with open(os.path.join(ROOT, "greedy.json"), "w") as f:
        json.dump(fixture, f, indent=1)


if __name__ == "__main__":
    main()
