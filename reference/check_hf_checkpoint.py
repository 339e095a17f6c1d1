"""Loads a checkpoint directory of this trainer with Hugging Face transformers, as a user would.

  HF_HUB_OFFLINE=1 /work/venv/bin/python reference/check_hf_checkpoint.py DIR [--prompt TEXT] [--fixture logits.json]
  HF_HUB_OFFLINE=1 /work/venv/bin/python reference/check_hf_checkpoint.py DIR --classify TEXT [TEXT ...]

Language models: loads DIR with AutoModelForCausalLM and AutoTokenizer, prints the load report,
the greedy continuation of --prompt (compare with `trainer sample DIR --temperature 0`) and, with
--fixture, the largest difference between these logits and the fixture's (the logits
transformers computed for the weights the checkpoint was written from).
Classifiers (--classify): loads DIR with AutoModelForSequenceClassification, classifies the texts
one by one and as one right-padded batch, and prints each text's label probabilities (compare
with `trainer classify DIR --text TEXT`).
"""
import argparse
import json
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch
import transformers
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer


def language_model(args):
    model = AutoModelForCausalLM.from_pretrained(args.dir).eval()
    tokenizer = AutoTokenizer.from_pretrained(args.dir)
    print(f"{type(model).__name__} + {type(tokenizer).__name__}: {sum(p.numel() for p in model.parameters())} parameters, "
          f"vocab {len(tokenizer)}, eos {tokenizer.eos_token_id}")
    ids = tokenizer(args.prompt, return_tensors="pt")
    # transformers cannot run past the block size (gpt2's n_positions, Llama's and Qwen3's
    # max_position_embeddings); `trainer sample` can (it re-reads the last half of the context).
    block = getattr(model.config, "n_positions", None) or model.config.max_position_embeddings
    room = block - ids["input_ids"].shape[1]
    out = model.generate(**ids, max_new_tokens=min(args.max_new_tokens, room), do_sample=False)
    print("greedy:", json.dumps(tokenizer.decode(out[0])))
    print("greedy ids:", out[0, ids["input_ids"].shape[1]:].tolist())
    if args.fixture:
        with open(args.fixture) as f:
            ref = json.load(f)
        assert tokenizer(ref["prompt"])["input_ids"] == ref["input_ids"], "tokenizer differs from the fixture's"
        with torch.no_grad():
            logits = model(torch.tensor([ref["input_ids"]])).logits[0]
        diff = max(float((logits[t] - torch.tensor(r)).abs().max()) for t, r in zip(ref["positions"], ref["logits"]))
        print(f"max |logit - fixture| = {diff:.3e}")


def classifier(args):
    model = AutoModelForSequenceClassification.from_pretrained(args.dir).eval()
    tokenizer = AutoTokenizer.from_pretrained(args.dir)
    print(f"{type(model).__name__}: labels {model.config.id2label}, pad {model.config.pad_token_id}, "
          f"tokenizer pad {tokenizer.pad_token_id}, eos {tokenizer.eos_token_id}")
    batch = tokenizer(args.classify, return_tensors="pt", padding=True, truncation=True)
    with torch.no_grad():
        batched = model(**batch).logits.softmax(-1)
    for i, text in enumerate(args.classify):
        ids = tokenizer(text, return_tensors="pt", truncation=True)
        with torch.no_grad():
            alone = model(**ids).logits.softmax(-1)[0]
        probs = " ".join(f"{model.config.id2label[k]} {float(p):.4f}" for k, p in enumerate(alone))
        print(f"{json.dumps(text)}: {probs} | batch vs alone {float((batched[i] - alone).abs().max()):.1e} | ends with eos {ids['input_ids'][0, -1].item() == tokenizer.eos_token_id}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--prompt", default="Fair is foul")
    p.add_argument("--max-new-tokens", type=int, default=40)
    p.add_argument("--fixture")
    p.add_argument("--classify", nargs="+")
    args = p.parse_args()
    print(f"transformers {transformers.__version__}, torch {torch.__version__}")
    classifier(args) if args.classify else language_model(args)


if __name__ == "__main__":
    main()
