"""Writes Tests/GPTTests/Fixtures/gpt_reference.json, the PyTorch reference for GPTTests
(with --long: gpt_reference_long.json, one layer at T = 300, three attention panels).

An independent plain-PyTorch GPT-2 (nanoGPT-style: pre-LayerNorm blocks, tanh GELU, causal
attention scaled by 1/sqrt(head size), head tied to wte, Conv1D-layout (in, out) weights),
evaluated in float64 on float32-representable parameters so the reference is exact to far
below the Swift float32 tolerance. The JSON holds:

  config, B, T                 tiny model (L=2, NH=3, C=12, block_size=10, V=64), B=2, T=8;
                               --long: L=1, NH=2, C=8, block_size=300, V=64, B=1, T=300
  params                       flat parameters in the Swift ParameterLayout order
  inputs, targets              (B, T) row-major; one target is -1 (ignored)
  loss                         mean cross-entropy over non-ignored targets
  grads                        flat gradient of that mean loss
  grad_norm, max_norm          global gradient norm, and the clipping threshold used
  adamw                        lr, beta1, beta2, eps, weight_decay, step (=1)
  params_after                 parameters after clipping grads to max_norm and one
                               torch.optim.AdamW step (decay only on 2-D tensors)

Rerun (only needed if the model definition changes):
  /tmp/venv/bin/python reference/make_fixtures.py [--long]
"""
import argparse
import json
import math
import os

import torch

torch.manual_seed(1234)
DT = torch.float64
L, NH, C, BLOCK, V = 2, 3, 12, 10, 64
B, T = 2, 8


def layout():
    """(name, shape) in the Swift ParameterLayout order, Hugging Face names."""
    out = [("wte.weight", (V, C)), ("wpe.weight", (BLOCK, C))]
    for l in range(L):
        p = f"h.{l}."
        out += [
            (p + "ln_1.weight", (C,)), (p + "ln_1.bias", (C,)),
            (p + "attn.c_attn.weight", (C, 3 * C)), (p + "attn.c_attn.bias", (3 * C,)),
            (p + "attn.c_proj.weight", (C, C)), (p + "attn.c_proj.bias", (C,)),
            (p + "ln_2.weight", (C,)), (p + "ln_2.bias", (C,)),
            (p + "mlp.c_fc.weight", (C, 4 * C)), (p + "mlp.c_fc.bias", (4 * C,)),
            (p + "mlp.c_proj.weight", (4 * C, C)), (p + "mlp.c_proj.bias", (C,)),
        ]
    out += [("ln_f.weight", (C,)), ("ln_f.bias", (C,))]
    return out


def make_params():
    # Larger-than-GPT-2 scales and non-trivial LayerNorm affines so every path carries signal.
    params = {}
    for name, shape in layout():
        if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name == "ln_f.weight":
            x = 1 + 0.1 * torch.randn(shape)
        elif len(shape) == 1:
            x = 0.05 * torch.randn(shape)
        else:
            x = 0.2 * torch.randn(shape)
        params[name] = x.float().to(DT).requires_grad_(True)
    return params


def layer_norm(x, w, b):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + 1e-5) * w + b


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def forward(P, idx):
    b, t = idx.shape
    x = P["wte.weight"][idx] + P["wpe.weight"][:t]
    hs = C // NH
    mask = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for l in range(L):
        p = f"h.{l}."
        h = layer_norm(x, P[p + "ln_1.weight"], P[p + "ln_1.bias"])
        qkv = h @ P[p + "attn.c_attn.weight"] + P[p + "attn.c_attn.bias"]
        q, k, v = qkv.split(C, dim=2)
        q = q.view(b, t, NH, hs).transpose(1, 2)
        k = k.view(b, t, NH, hs).transpose(1, 2)
        v = v.view(b, t, NH, hs).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, C)
        x = x + y @ P[p + "attn.c_proj.weight"] + P[p + "attn.c_proj.bias"]
        h = layer_norm(x, P[p + "ln_2.weight"], P[p + "ln_2.bias"])
        h = gelu_tanh(h @ P[p + "mlp.c_fc.weight"] + P[p + "mlp.c_fc.bias"])
        x = x + h @ P[p + "mlp.c_proj.weight"] + P[p + "mlp.c_proj.bias"]
    x = layer_norm(x, P["ln_f.weight"], P["ln_f.bias"])
    return x @ P["wte.weight"].T


def flat(tensors):
    return [float(v) for name, _ in layout() for v in tensors[name].detach().reshape(-1).tolist()]


def round_floats(x):
    if isinstance(x, float):
        return float(f"{x:.9g}")
    if isinstance(x, list):
        return [round_floats(v) for v in x]
    if isinstance(x, dict):
        return {k: round_floats(v) for k, v in x.items()}
    return x


def main():
    global L, NH, C, BLOCK, V, B, T
    parser = argparse.ArgumentParser()
    parser.add_argument("--long", action="store_true", help="T = 300: the attention's panels of 128 queries and a ragged last one")
    args = parser.parse_args()
    name = "gpt_reference"
    if args.long:
        L, NH, C, BLOCK, V, B, T = 1, 2, 8, 300, 64, 1, 300
        name = "gpt_reference_long"
    P = make_params()
    inputs = torch.randint(0, V, (B, T))
    targets = torch.randint(0, V, (B, T))
    targets[B - 1, 3] = -1
    logits = forward(P, inputs)
    loss = torch.nn.functional.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-1)
    loss.backward()
    grads = {n: P[n].grad.clone() for n in P}

    max_norm = 0.05 if args.long else 0.5
    grad_norm = torch.sqrt(sum((g ** 2).sum() for g in grads.values())).item()
    assert grad_norm > max_norm, "pick max_norm below the norm so clipping is exercised"
    scale = max_norm / grad_norm
    for n in P:
        P[n].grad.mul_(scale)

    hp = dict(lr=0.01, beta1=0.9, beta2=0.95, eps=1e-8, weight_decay=0.1, step=1)
    names = [n for n, _ in layout()]
    decay = [P[n] for n in names if P[n].dim() == 2]
    no_decay = [P[n] for n in names if P[n].dim() != 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": hp["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"])
    params_before = flat(P)
    opt.step()

    out = {
        "config": {"n_layer": L, "n_head": NH, "n_embd": C, "block_size": BLOCK, "vocab_size": V},
        "B": B, "T": T,
        "params": params_before,
        "inputs": inputs.reshape(-1).tolist(),
        "targets": targets.reshape(-1).tolist(),
        "loss": loss.item(),
        "grads": flat(grads),
        "grad_norm": grad_norm,
        "max_norm": max_norm,
        "adamw": hp,
        "params_after": flat(P),
    }
    path = os.path.join(os.path.dirname(__file__), "..", "Tests", "GPTTests", "Fixtures", name + ".json")
    with open(path, "w") as f:
        # 9 significant digits: float32 parameters round-trip exactly; references are far
        # more precise than the 1e-4 test tolerance.
        json.dump(round_floats(out), f, separators=(",", ":"))
    print(f"wrote {os.path.normpath(path)}: {len(params_before)} parameters, loss {loss.item():.6f}, "
          f"grad norm {grad_norm:.6f}")


if __name__ == "__main__":
    main()
