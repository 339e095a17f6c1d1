"""Writes Tests/TaskEvaluationTests/Fixtures/beam_reference.json: transformers' beam search on a tiny
random GPT2LMHeadModel, for BeamSearch.swift to reproduce.

The weights go out as one flat array in the Swift ParameterLayout order (wte, wpe, each block's
twelve tensors, ln_f; Hugging Face's Conv1D shapes, which are ours), as reference/make_fixtures.py
does. For each prompt, num_beams in 1, 2, 4 and length_penalty in 1.0 and 0.5 (and 2.0), the ids
`generate(num_beams=N, do_sample=False, early_stopping=False)` adds after the prompt, up to and
including <|endoftext|> (id V-1), whose embedding is scaled up so that beams do finish early.
Run: /work/venv/bin/python reference/make_beam_fixture.py
"""
import json
import os

import torch
from transformers import GPT2Config, GPT2LMHeadModel

V, BLOCK, C, L, NH = 64, 32, 16, 2, 2
EOS = V - 1
MAX_NEW = 12
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TaskEvaluationTests", "Fixtures", "beam_reference.json")


def main():
    torch.manual_seed(25)
    config = GPT2Config(vocab_size=V, n_positions=BLOCK, n_embd=C, n_layer=L, n_head=NH, activation_function="gelu_new",
                        resid_pdrop=0, embd_pdrop=0, attn_pdrop=0, layer_norm_epsilon=1e-5,
                        bos_token_id=EOS, eos_token_id=EOS, pad_token_id=EOS)
    model = GPT2LMHeadModel(config).eval()
    state = model.transformer.state_dict()
    with torch.no_grad():
        for name, tensor in state.items():
            if name.endswith("attn.bias") or name.endswith("masked_bias"):
                continue
            if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name == "ln_f.weight":
                tensor.copy_(1 + 0.1 * torch.randn_like(tensor))
            elif tensor.dim() == 1:
                tensor.copy_(0.05 * torch.randn_like(tensor))
            else:
                tensor.copy_(0.5 * torch.randn_like(tensor))
        state["wte.weight"][EOS] *= 2.5
    names = ["wte.weight", "wpe.weight"]
    for l in range(L):
        names += [f"h.{l}.{n}" for n in ["ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias",
                                        "attn.c_proj.weight", "attn.c_proj.bias", "ln_2.weight", "ln_2.bias",
                                        "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias"]]
    names += ["ln_f.weight", "ln_f.bias"]
    params = torch.cat([state[n].reshape(-1) for n in names]).tolist()
    prompts = [[5], [1, 2, 3], [10, 40, 7, 22, 9], [33, 33]]
    cases = []
    for prompt in prompts:
        for beams in [1, 2, 4]:
            for penalty in [1.0, 0.5, 2.0]:
                ids = model.generate(torch.tensor([prompt]), num_beams=beams, do_sample=False, early_stopping=False,
                                     length_penalty=penalty, max_new_tokens=MAX_NEW, eos_token_id=EOS, pad_token_id=EOS)
                new = ids[0, len(prompt):].tolist()
                if EOS in new:
                    new = new[: new.index(EOS) + 1]
                cases.append({"prompt": prompt, "beams": beams, "length_penalty": penalty, "generated": new})
    fixture = {"config": {"vocab_size": V, "block_size": BLOCK, "n_embd": C, "n_layer": L, "n_head": NH},
               "eos": EOS, "max_new_tokens": MAX_NEW, "params": params, "cases": cases}
    with open(OUT, "w") as f:
        json.dump(fixture, f)
    print(f"{len(cases)} cases; {sum(EOS in c['generated'] for c in cases)} end in <|endoftext|>")
    for c in cases:
        print(c["prompt"], c["beams"], c["length_penalty"], c["generated"])


if __name__ == "__main__":
    main()
