"""Writes Tests/TrainingTests/Fixtures/hf-gpt2-tiny/: a GPT-2 directory made by Hugging Face itself.

- a byte-level BPE tokenizer trained with the `tokenizers` library on the start of Macbeth
  (320 tokens, <|endoftext|> first), saved as GPT-2's vocab.json + merges.txt and by
  transformers' tokenizer.save_pretrained (tokenizer.json, tokenizer_config.json);
- a randomly initialized GPT2LMHeadModel (2 layers, width 32, 2 heads, n_positions 64) saved by
  model.save_pretrained (config.json, generation_config.json, model.safetensors). Its weights are
  drawn larger than GPT-2's init and its LayerNorms and biases are randomized, so that every
  tensor matters to the logits;
- logits.json: a fixed prompt, the token ids transformers' tokenizer gives it, and the logits
  transformers computes (float32, eager attention) at three positions, with the transformers
  and torch versions.

The Swift suite (HuggingFaceImportTests) reads these files and needs no Python.

Rerun (CPU, offline):
  HF_HUB_OFFLINE=1 /work/venv/bin/python reference/make_hf_fixture.py
"""
import json
import os
import shutil
import tempfile

import tokenizers
import torch
import transformers
from tokenizers import ByteLevelBPETokenizer
from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "TrainingTests", "Fixtures", "hf-gpt2-tiny")
PROMPT = "When shall we three meet again\nIn thunder, lightning, or in rain?"
VOCAB = 320


def make_tokenizer(directory):
    with open(os.path.join(ROOT, "data", "shakespeare", "macbeth.txt"), encoding="utf-8") as f:
        text = f.read()[:200_000]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator([text], vocab_size=VOCAB, min_frequency=2, special_tokens=["<|endoftext|>"], show_progress=False)
    bpe.save_model(directory)  # vocab.json + merges.txt
    with open(os.path.join(directory, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "GPT2Tokenizer", "model_max_length": 64}, f)
    return AutoTokenizer.from_pretrained(directory)


def main():
    torch.manual_seed(2024)
    staging = tempfile.mkdtemp()
    tokenizer = make_tokenizer(staging)
    eos = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=64, n_embd=32, n_layer=2, n_head=2,
                        bos_token_id=eos, eos_token_id=eos, initializer_range=0.2)
    model = GPT2LMHeadModel(config).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:  # LayerNorm weights and biases, linear biases
                p.copy_(torch.randn_like(p) * 0.1 + (1.0 if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name.endswith("ln_f.weight") else 0.0))
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    model.save_pretrained(OUT)
    tokenizer.save_pretrained(OUT)  # transformers 5 writes tokenizer.json + tokenizer_config.json
    for name in ["vocab.json", "merges.txt"]:  # GPT-2's own files, as the Hub's gpt2 repository has them too
        shutil.copy(os.path.join(staging, name), OUT)
    shutil.rmtree(staging)

    reloaded = GPT2LMHeadModel.from_pretrained(OUT, attn_implementation="eager").eval()
    tok = AutoTokenizer.from_pretrained(OUT)
    ids = tok(PROMPT)["input_ids"]
    with torch.no_grad():
        logits = reloaded(torch.tensor([ids])).logits[0]
    positions = [0, len(ids) // 2, len(ids) - 1]
    with open(os.path.join(OUT, "logits.json"), "w") as f:
        json.dump({
            "prompt": PROMPT, "input_ids": ids, "positions": positions,
            "logits": [[float(x) for x in logits[t]] for t in positions],
            "transformers": transformers.__version__, "torch": torch.__version__, "tokenizers": tokenizers.__version__,
        }, f)
    for name in sorted(os.listdir(OUT)):
        print(f"{os.path.getsize(os.path.join(OUT, name)):8d}  {name}")
    print(f"prompt: {len(ids)} tokens; logits range {logits.min():.3f}..{logits.max():.3f}")


if __name__ == "__main__":
    main()
