"""By-hand check that llama.cpp runs our GGUF export as it is (issue 26, item 5).

For each of f32, f16 and q8_0: `trainer export CHECKPOINT --gguf FILE --type T`, load FILE with
llama.cpp (llama-cpp-python, built from source), greedy-continue each prompt (argmax of
llama.cpp's logits, stopping at <|endoftext|>) and compare with
`trainer sample CHECKPOINT --temperature 0 --max-tokens N --no-echo`. Also compares llama.cpp's
tokenization of a few strings with the checkpoint's tokenizer as transformers loads it from the
same directory (our tokenizer's files; HuggingFaceExportTests holds ours equal to it).

Works for gpt2 and llama checkpoints (logits compared with AutoModelForCausalLM). Outputs of two runs:
reference/llamacpp_check_gpt-small.txt, reference/llamacpp_check_llama-tiny.txt.

Needs: /work/venv with llama-cpp-python (CMAKE_ARGS="-DGGML_NATIVE=ON" pip install llama-cpp-python),
a release build (swift build -c release) and a checkpoint whose block_size >= prompt + N tokens
(llama.cpp cannot read past the position embeddings). Example:
  .build/release/trainer configs/gpt-tiny.json --set training.max_steps=100 --set model.block_size=64 \
      --set checkpoint.dir=/tmp/gguf-run --set checkpoint.every=100
  HF_HUB_OFFLINE=1 /work/venv/bin/python reference/check_gguf_llamacpp.py /tmp/gguf-run
"""
import argparse
import os
import subprocess
import sys
import tempfile

import llama_cpp
import numpy as np

PROMPTS = ["ROMEO:", "When shall we three meet again", "The king is dead,"]
STRINGS = ["Hello world", "  two  spaces\tand a tab\n\nnew lines", "don't we'll I'm 1234 3.14 !!!?", "Fair is foul, and foul is fair:"]


def trainer(binary, *args):
    return subprocess.run([binary, *args], check=True, capture_output=True, text=True).stdout


def ours(binary, checkpoint, prompt, n):
    out = trainer(binary, "sample", checkpoint, "--temperature", "0", "--prompt", prompt, "--max-tokens", str(n), "--no-echo")
    return out[:-1] if out.endswith("\n") else out


def llamacpp_greedy(llm, prompt, n, eot):
    tokens = llm.tokenize(prompt.encode(), add_bos=False, special=False)
    llm.reset()
    llm.eval(tokens)
    generated = []
    for _ in range(n):
        nxt = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        if nxt == eot:
            break
        generated.append(nxt)
        llm.eval([nxt])
    return llm.detokenize(generated).decode("utf-8", errors="replace"), generated


def divergence(llm, prompt, ids, theirs):
    """Where llama.cpp's greedy ids leave the trainer's text, and llama.cpp's logit gap there
    between its choice and the token that would continue the trainer's text."""
    prefix = []
    for t in ids:
        if not theirs.encode().startswith(llm.detokenize(prefix + [t])):
            break
        prefix.append(t)
    rest = theirs.encode()[len(llm.detokenize(prefix)):]
    tokens = llm.tokenize(prompt.encode(), add_bos=False, special=False) + prefix
    llm.reset()
    llm.eval(tokens)
    logits = llm.scores[llm.n_tokens - 1]
    choice = int(np.argmax(logits))
    alternatives = [t for t in range(len(logits)) if rest.startswith(llm.detokenize([t]))]
    best = max(alternatives, key=lambda t: logits[t]) if alternatives else None
    gap = f"{logits[choice] - logits[best]:.5f}" if best is not None else "n/a"
    return f"diverges after {len(prefix)} tokens: llama.cpp's logit of its token minus the trainer's = {gap}"


def float16_table_gelu():
    """ggml's CPU GELU (ggml-cpu/vec.h defines GGML_GELU_FP16): the f32 input rounded to f16,
    GELU (tanh form) looked up in an f16 table, so the output is rounded to f16 too."""
    import torch

    class GELU(torch.nn.Module):
        def forward(self, x):
            h = x.half().float()
            y = (0.5 * h * (1 + torch.tanh(0.7978845608028654 * (h + 0.044715 * h ** 3)))).half().float()
            return torch.where(x <= -10, torch.zeros_like(x), torch.where(x >= 10, x, y))
    return GELU()


def logits_difference(llm, directory, prompt, ggml_gelu=False):
    """Max |llama.cpp - transformers| over every position's logits: transformers loads the
    checkpoint directory as it is and computes GPT-2 in float32 (with ggml's GELU if asked)."""
    import torch
    from transformers import AutoModelForCausalLM
    model = AutoModelForCausalLM.from_pretrained(directory, attn_implementation="eager").eval()
    if ggml_gelu and model.config.model_type == "gpt2":
        for block in model.transformer.h:
            block.mlp.act = float16_table_gelu()
    tokens = llm.tokenize(prompt.encode(), add_bos=False, special=False)
    llm.reset()
    llm.eval(tokens)
    with torch.no_grad():
        reference = model(torch.tensor([tokens])).logits[0].numpy()
    return float(np.abs(llm.scores[: len(tokens)] - reference).max())


def check_tokenization(llm, directory):
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(directory)
    equal = True
    for s in STRINGS:
        a = llm.tokenize(s.encode(), add_bos=False, special=False)
        b = tok.encode(s, add_special_tokens=False)
        same = a == b
        equal &= same
        print(f"tokenize {s!r}: llama.cpp {a} {'==' if same else '!='} ours {b}")
    return equal


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkpoint")
    p.add_argument("--trainer", default=".build/release/trainer")
    p.add_argument("--max-tokens", type=int, default=40)
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="gguf-check-")
    expected = {prompt: ours(args.trainer, args.checkpoint, prompt, args.max_tokens) for prompt in PROMPTS}
    verdicts = {}
    for kind in ("f32", "f16", "q8_0"):
        path = os.path.join(work, f"model-{kind}.gguf")
        print(trainer(args.trainer, "export", args.checkpoint, "--gguf", path, "--type", kind).strip())
        # F32 key/value cache (llama.cpp's default is F16), so that f32 weights are computed in f32 throughout.
        llm = llama_cpp.Llama(model_path=path, n_ctx=256, logits_all=True, verbose=False, seed=0,
                              type_k=llama_cpp.GGML_TYPE_F32, type_v=llama_cpp.GGML_TYPE_F32)
        eot = llm.token_eos()
        if kind == "f32":
            step = sorted(d for d in os.listdir(args.checkpoint) if d.startswith("step-"))[-1] if not os.path.basename(args.checkpoint.rstrip("/")).startswith("step-") else ""
            verdicts["tokenization"] = check_tokenization(llm, os.path.join(args.checkpoint, step))
        for prompt in PROMPTS:
            print(f"[{kind}] max |logit difference| llama.cpp vs transformers on {prompt!r}: "
                  f"{logits_difference(llm, os.path.join(args.checkpoint, step), prompt):.6f}; "
                  f"with ggml's f16-table GELU in transformers: {logits_difference(llm, os.path.join(args.checkpoint, step), prompt, True):.6f}")
        same_all = True
        for prompt in PROMPTS:
            text, ids = llamacpp_greedy(llm, prompt, args.max_tokens, eot)
            same = text == expected[prompt]
            same_all &= same
            print(f"[{kind}] {prompt!r}: {'EQUAL' if same else 'DIFFERENT'} ({len(ids)} tokens)")
            print(f"    llama.cpp: {text!r}")
            if not same:
                print(f"    trainer:   {expected[prompt]!r}")
                print(f"    {divergence(llm, prompt, ids, expected[prompt])}")
        verdicts[kind] = same_all
    print("summary:", ", ".join(f"{k} {'equal' if v else 'DIFFERENT'}" for k, v in verdicts.items()))
    print(f"llama-cpp-python {llama_cpp.__version__}")
    sys.exit(0 if verdicts["f32"] and verdicts["f16"] and verdicts["tokenization"] else 1)


if __name__ == "__main__":
    main()
