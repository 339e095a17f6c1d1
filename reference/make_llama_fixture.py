"""Writes Tests/GPTTests/Fixtures/llama_reference.json, the transformers reference for the
Llama family (GPTTests/LlamaReferenceTests.swift).

Three tiny random models built in transformers itself (eager attention, float64 parameters
that are float32-representable): LlamaForCausalLM with a tied head, LlamaForCausalLM untied,
and Qwen3ForCausalLM (q_norm/k_norm, untied, rope_theta 500, rms_norm_eps 1e-5). Every tensor,
norm gains included, is random so that every gradient matters. For each case the JSON holds:

  config        our model config (GPTConfig's JSON keys)
  hf_config     the config.json transformers writes for the model (save_pretrained's keys)
  B, T          2 × 6
  names         parameter names in our ParameterLayout order (Hugging Face state_dict names)
  params        flat parameters in that order
  inputs, targets (B, T) row-major; one target is -1 (ignored)
  loss          mean cross-entropy over the counted targets
  logits        (B, T, V) logits
  grads         flat gradient of the mean loss, layout order

transformers' LlamaRMSNorm computes in float32 even for float64 inputs, and its rotary tables
are float32; both are far below the tests' 1e-4 tolerance.

Rerun (only if the model definition changes):
  HF_HUB_OFFLINE=1 /work/venv/bin/python reference/make_llama_fixture.py
"""
import json
import os

import torch
from transformers import LlamaConfig, LlamaForCausalLM, Qwen3Config, Qwen3ForCausalLM

B, T = 2, 6
CASES = [
    dict(name="llama_tied", family="llama", L=2, NH=2, C=16, I=24, V=32, block=12, tied=True, qk=False, theta=10000.0, eps=1e-6),
    dict(name="llama_untied", family="llama", L=1, NH=2, C=16, I=24, V=32, block=12, tied=False, qk=False, theta=10000.0, eps=1e-6),
    dict(name="qwen3", family="llama", L=1, NH=2, C=16, I=24, V=32, block=12, tied=False, qk=True, theta=500.0, eps=1e-5),
]


def layout_names(c):
    names = ["model.embed_tokens.weight"]
    for l in range(c["L"]):
        p = f"model.layers.{l}."
        names += [p + "input_layernorm.weight", p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight",
                  p + "self_attn.v_proj.weight"]
        if c["qk"]:
            names += [p + "self_attn.q_norm.weight", p + "self_attn.k_norm.weight"]
        names += [p + "self_attn.o_proj.weight", p + "post_attention_layernorm.weight", p + "mlp.gate_proj.weight",
                  p + "mlp.up_proj.weight", p + "mlp.down_proj.weight"]
    names.append("model.norm.weight")
    if not c["tied"]:
        names.append("lm_head.weight")
    return names


def build(c):
    common = dict(vocab_size=c["V"], hidden_size=c["C"], intermediate_size=c["I"], num_hidden_layers=c["L"],
                  num_attention_heads=c["NH"], num_key_value_heads=c["NH"], head_dim=c["C"] // c["NH"],
                  max_position_embeddings=c["block"], rms_norm_eps=c["eps"], rope_theta=c["theta"],
                  tie_word_embeddings=c["tied"], attention_bias=False, hidden_act="silu", attn_implementation="eager")
    if c["qk"]:
        model = Qwen3ForCausalLM(Qwen3Config(**common))
    else:
        model = LlamaForCausalLM(LlamaConfig(mlp_bias=False, **common))
    model = model.double()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:
                x = 1 + 0.2 * torch.randn(p.shape)
            else:
                x = 0.3 * torch.randn(p.shape)
            p.copy_(x.float().double())
    return model


def round_floats(x):
    if isinstance(x, float):
        return float(f"{x:.9g}")
    if isinstance(x, list):
        return [round_floats(v) for v in x]
    return x


def run(c):
    model = build(c)
    state = dict(model.named_parameters())
    names = layout_names(c)
    # Every parameter is named once (a tied lm_head is embed_tokens itself).
    assert sorted(names) == sorted(state), (sorted(names), sorted(state))
    inputs = torch.randint(0, c["V"], (B, T))
    targets = torch.randint(0, c["V"], (B, T))
    targets[1, 2] = -1
    logits = model(input_ids=inputs).logits
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, c["V"]), targets.reshape(-1), ignore_index=-1)
    loss.backward()
    flat = lambda ts: [v for n in names for v in ts[n].detach().reshape(-1).tolist()]
    hf = model.config.to_dict()
    config = {"n_layer": c["L"], "n_head": c["NH"], "n_embd": c["C"], "block_size": c["block"], "vocab_size": c["V"],
              "family": c["family"], "intermediate_size": c["I"], "tied_head": c["tied"], "qk_norm": c["qk"],
              "rope_theta": c["theta"], "norm_eps": c["eps"]}
    return {
        "name": c["name"], "config": config,
        "hf_config": {k: hf[k] for k in ["model_type", "hidden_size", "intermediate_size", "num_hidden_layers",
                                         "num_attention_heads", "num_key_value_heads", "head_dim", "rms_norm_eps",
                                         "max_position_embeddings", "vocab_size", "tie_word_embeddings",
                                         "attention_bias", "hidden_act"]}
                     | {"rope_theta": hf["rope_parameters"]["rope_theta"]},
        "B": B, "T": T, "names": names,
        "params": flat(state), "inputs": inputs.reshape(-1).tolist(), "targets": targets.reshape(-1).tolist(),
        "loss": loss.item(), "logits": logits.detach().reshape(-1).tolist(),
        "grads": flat({n: p.grad for n, p in state.items()}),
    }


def main():
    torch.manual_seed(2024)
    cases = [run(c) for c in CASES]
    path = os.path.join(os.path.dirname(__file__), "..", "Tests", "GPTTests", "Fixtures", "llama_reference.json")
    with open(path, "w") as f:
        json.dump(round_floats(cases), f, separators=(",", ":"))
    for case in cases:
        print(f"{case['name']}: {len(case['params'])} parameters, loss {case['loss']:.6f}")
    print(f"wrote {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
