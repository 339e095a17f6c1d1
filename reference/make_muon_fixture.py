"""Writes Tests/GPTTests/Fixtures/muon_reference.json, torch.optim.Muon's reference for GPTTests.

torch.optim.Muon (torch 2.9+, CPU) runs three steps on five matrices of several shapes with
fixed gradients. The shapes cover what the Swift side must get right:

  tall       math (24, 8), stored as it is          NS on the transpose; lr scale sqrt(3)
  wide       math (8, 20), stored as it is          lr scale 1
  square     math (12, 12), stored as it is         lr scale 1
  conv_tall  math (32, 8), stored transposed (8, 32)  like c_fc: lr scale 2 from the math shape
  conv_wide  math (6, 18), stored transposed (18, 6)  like mlp.c_proj: lr scale 1

torch's math matrix is the nn.Linear (out, in) tensor; "stored" is how the Swift side keeps it
(GPT-2's Conv1D layout is (in, out), the transpose). Every array in the JSON is in stored
layout, row-major, so the Swift test copies it as it is.

Precision. torch's _zeropower_via_newtonschulz always computes in bfloat16 (grad.to(bfloat16)),
also for float32 CPU tensors; bf16 round-off (about 3e-3 relative) cannot be reproduced by a
float32 implementation to 1e-5. So the fixture runs torch.optim.Muon itself (its momentum,
Nesterov, weight decay, lr adjustment and step) with one change: the module's Newton-Schulz
function is replaced by a copy that differs from torch's only in the dtype it casts to
(float32). The script checks that the copy, at bfloat16, returns torch's own bits, and it also
records torch's unchanged bfloat16 run (`params_bf16`) to show how far that is.

The JSON holds:
  settings                  lr, weight_decay, momentum, nesterov, ns_coefficients, eps, ns_steps
  matrices[i]               name, stored_shape, transposed, initial, grads[3], updates[3]
                            (the float32 NS output of each step, stored layout), params[3]
                            (after each step), params_bf16 (after 3 steps, torch unchanged)

Rerun (only if the cases change): HF_HUB_OFFLINE=1 /work/venv/bin/python reference/make_muon_fixture.py
"""
import json
import os

import torch
import torch.optim._muon as muon_module

SETTINGS = dict(lr=0.05, weight_decay=0.1, momentum=0.95, nesterov=True,
                ns_coefficients=(3.4445, -4.7750, 2.0315), eps=1e-7, ns_steps=5)
CASES = [  # name, math (out, in) shape, stored transposed
    ("tall", (24, 8), False),
    ("wide", (8, 20), False),
    ("square", (12, 12), False),
    ("conv_tall", (32, 8), True),
    ("conv_wide", (6, 18), True),
]
STEPS = 3
ORIGINAL_NS = muon_module._zeropower_via_newtonschulz


def newton_schulz(grad, ns_coefficients, ns_steps, eps, dtype):
    """torch's _zeropower_via_newtonschulz (2.9) line for line, with the cast's dtype a parameter."""
    a, b, c = ns_coefficients
    ortho_grad = grad.to(dtype=dtype, copy=True)
    if grad.size(0) > grad.size(1):
        ortho_grad = ortho_grad.T
    ortho_grad.div_(ortho_grad.norm().clamp(min=eps))
    for _ in range(ns_steps):
        gram_matrix = ortho_grad @ ortho_grad.T
        gram_update = torch.addmm(gram_matrix, gram_matrix, gram_matrix, beta=b, alpha=c)
        ortho_grad = torch.addmm(ortho_grad, gram_update, ortho_grad, beta=a)
    if grad.size(0) > grad.size(1):
        ortho_grad = ortho_grad.T
    return ortho_grad


def stored(t, transposed):
    """A math-layout tensor as the Swift side stores it, flattened row-major."""
    t = t.detach().float()
    # The shortest decimal that reads back as the same float32 (half the bytes of a double's).
    return [float(str(v)) for v in (t.T if transposed else t).contiguous().reshape(-1).numpy()]


def run(initial, grads, float32_ns):
    """Three steps of torch.optim.Muon; returns params after each step and the NS outputs."""
    params = [torch.nn.Parameter(x.clone()) for x in initial]
    recorded = []

    def patched(grad, ns_coefficients, ns_steps, eps):
        out = newton_schulz(grad, ns_coefficients, ns_steps, eps, torch.float32)
        recorded.append(out.clone())
        return out

    muon_module._zeropower_via_newtonschulz = patched if float32_ns else ORIGINAL_NS
    try:
        opt = torch.optim.Muon(params, **SETTINGS)
        after = []
        for step in range(STEPS):
            for p, g in zip(params, grads[step]):
                p.grad = g.clone()
            opt.step()
            after.append([p.detach().clone() for p in params])
    finally:
        muon_module._zeropower_via_newtonschulz = ORIGINAL_NS
    return after, recorded


def main():
    torch.manual_seed(2026)
    initial = [0.1 * torch.randn(shape) for _, shape, _ in CASES]
    grads = [[torch.randn(shape) for _, shape, _ in CASES] for _ in range(STEPS)]

    # The copy must be torch's function: at bfloat16 it gives the same bits.
    for g in grads[0]:
        mine = newton_schulz(g, SETTINGS["ns_coefficients"], 5, 1e-7, torch.bfloat16)
        assert torch.equal(mine, ORIGINAL_NS(g, SETTINGS["ns_coefficients"], 5, 1e-7)), "copy differs from torch"

    after32, updates = run(initial, grads, float32_ns=True)
    after16, _ = run(initial, grads, float32_ns=False)
    n = len(CASES)
    matrices = []
    for i, (name, shape, transposed) in enumerate(CASES):
        math_stored = (shape[1], shape[0]) if transposed else shape
        matrices.append(dict(
            name=name, stored_shape=list(math_stored), transposed=transposed,
            initial=stored(initial[i], transposed),
            grads=[stored(grads[s][i], transposed) for s in range(STEPS)],
            updates=[stored(updates[s * n + i], transposed) for s in range(STEPS)],
            params=[stored(after32[s][i], transposed) for s in range(STEPS)],
            params_bf16=stored(after16[-1][i], transposed),
        ))
        gap = (after32[-1][i] - after16[-1][i]).abs().max().item()
        print(f"{name}: float32 NS vs torch's bfloat16 NS after {STEPS} steps, max |diff| {gap:.3e}")
    settings = dict(SETTINGS, ns_coefficients=list(SETTINGS["ns_coefficients"]))
    out = dict(torch_version=torch.__version__, settings=settings, steps=STEPS, matrices=matrices)
    path = os.path.join(os.path.dirname(__file__), "..", "Tests", "GPTTests", "Fixtures", "muon_reference.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"wrote {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
