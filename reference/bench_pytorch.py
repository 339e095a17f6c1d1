"""PyTorch reference benchmark for `trainer bench`: the same model, batch and AdamW in fp32 on CPU.

Same architecture as trainer for both families: GPT-2 (pre-LayerNorm, tanh GELU, causal attention,
learned positions, head tied to wte, no dropout) and, with model.family=llama, Llama (RMSNorm,
rotary positions as transformers' rotate_half, SwiGLU MLP, no biases, head tied unless
model.tied_head=false, Qwen3's per-head q/k RMSNorm with model.qk_norm=true), micro-batch and gradient accumulation from the trainer config, torch.optim.AdamW
(fused=False, decay on 2-D tensors only), gradient clipping, random tokens (throughput does not depend on the
data). Prints tokens/s the way `trainer bench` does: global batch tokens ÷ mean step wall time after warm-up.

One process with N threads:
  python reference/bench_pytorch.py configs/gpt-small.json --threads 2
DDP over gloo, one thread per process (like mpirun -n 2 with OPENBLAS_NUM_THREADS=1):
  torchrun --nproc_per_node 2 reference/bench_pytorch.py configs/gpt-small.json --threads 1
Config fields can be overridden as with trainer: --set training.micro_batch=1.
launch/bench-compare.sh runs both layouts of this and of `trainer bench` and prints one table.
"""
import argparse
import contextlib
import json
import math
import os
import time

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

from config_overrides import apply_overrides


class Block(nn.Module):
    def __init__(self, c, nh):
        super().__init__()
        self.nh = nh
        self.ln_1, self.ln_2 = nn.LayerNorm(c), nn.LayerNorm(c)
        self.c_attn, self.c_proj = nn.Linear(c, 3 * c), nn.Linear(c, c)
        self.c_fc, self.mlp_proj = nn.Linear(c, 4 * c), nn.Linear(4 * c, c)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.nh, c // self.nh).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.c_proj(y.transpose(1, 2).reshape(b, t, c))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, m):
        super().__init__()
        c = m["n_embd"]
        self.wte, self.wpe = nn.Embedding(m["vocab_size"], c), nn.Embedding(m["block_size"], c)
        self.h = nn.ModuleList(Block(c, m["n_head"]) for _ in range(m["n_layer"]))
        self.ln_f = nn.LayerNorm(c)
        for p in self.parameters():
            nn.init.normal_(p, std=0.02) if p.dim() == 2 else None

    def forward(self, idx, targets):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for block in self.h:
            x = block(x)
        logits = self.ln_f(x) @ self.wte.weight.t()  # tied head
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.reshape(-1), reduction="sum")


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class LlamaBlock(nn.Module):
    """transformers' LlamaDecoderLayer (Qwen3DecoderLayer with qk_norm) in fp32, written out."""

    def __init__(self, c, nh, hidden, eps, qk_norm):
        super().__init__()
        self.nh, self.hs, self.eps = nh, c // nh, eps
        self.input_norm, self.post_norm = nn.RMSNorm(c, eps=eps), nn.RMSNorm(c, eps=eps)
        self.q_proj, self.k_proj, self.v_proj = (nn.Linear(c, c, bias=False) for _ in range(3))
        self.o_proj = nn.Linear(c, c, bias=False)
        self.q_norm = nn.RMSNorm(self.hs, eps=eps) if qk_norm else None
        self.k_norm = nn.RMSNorm(self.hs, eps=eps) if qk_norm else None
        self.gate_proj, self.up_proj = nn.Linear(c, hidden, bias=False), nn.Linear(c, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, c, bias=False)

    def forward(self, x, cos, sin):
        b, t, c = x.shape
        h = self.input_norm(x)
        q, k, v = (proj(h).view(b, t, self.nh, self.hs) for proj in (self.q_proj, self.k_proj, self.v_proj))
        if self.q_norm is not None:
            q, k = self.q_norm(q), self.k_norm(k)
        q, k, v = (z.transpose(1, 2) for z in (q, k, v))
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.o_proj(y.transpose(1, 2).reshape(b, t, c))
        h = self.post_norm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class Llama(nn.Module):
    def __init__(self, m):
        super().__init__()
        c, nh = m["n_embd"], m["n_head"]
        hs, eps = c // nh, m.get("norm_eps", 1e-6)
        hidden = m.get("intermediate_size", 0) or max(1, -(-c // 24)) * 64  # trainer's 8C/3 rounded up to 64
        self.tied = m.get("tied_head", True)
        self.embed = nn.Embedding(m["vocab_size"], c)
        self.layers = nn.ModuleList(LlamaBlock(c, nh, hidden, eps, m.get("qk_norm", False)) for _ in range(m["n_layer"]))
        self.norm = nn.RMSNorm(c, eps=eps)
        self.lm_head = None if self.tied else nn.Linear(c, m["vocab_size"], bias=False)
        inv_freq = 1.0 / (m.get("rope_theta", 10000.0) ** (torch.arange(0, hs, 2, dtype=torch.float32) / hs))
        angles = torch.outer(torch.arange(m["block_size"], dtype=torch.float32), inv_freq)
        angles = torch.cat((angles, angles), dim=-1)
        self.register_buffer("cos", angles.cos(), persistent=False)
        self.register_buffer("sin", angles.sin(), persistent=False)
        for p in self.parameters():
            nn.init.normal_(p, std=0.02) if p.dim() == 2 else None

    def forward(self, idx, targets):
        t = idx.shape[1]
        x = self.embed(idx)
        cos, sin = self.cos[:t], self.sin[:t]
        for layer in self.layers:
            x = layer(x, cos, sin)
        h = self.norm(x)
        logits = h @ self.embed.weight.t() if self.tied else self.lm_head(h)
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.reshape(-1), reduction="sum")


def flops_per_token(model, m, t):
    """trainer's estimate: 6·N + 12·L·C·T, N without the lookup-only tables (GPT-2's wpe; an
    untied Llama's embedding)."""
    n = sum(p.numel() for p in model.parameters())
    if m.get("family", "gpt2") == "gpt2":
        n -= m["block_size"] * m["n_embd"]
    elif not m.get("tied_head", True):
        n -= m["vocab_size"] * m["n_embd"]
    return 6 * n + 12 * m["n_layer"] * m["n_embd"] * t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--sgemm-peak", type=float, default=None, help="GFLOP/s (all ranks) from trainer bench, for MFU")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                    help="override a config field, as trainer's --set does")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    distributed = "WORLD_SIZE" in os.environ
    if distributed:
        dist.init_process_group("gloo")
    rank, world = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)

    cfg = json.load(open(args.config))
    apply_overrides(cfg, args.set)
    m = {"n_layer": 6, "n_head": 6, "n_embd": 384, "block_size": 256, "vocab_size": 8192, **cfg.get("model", {})}
    tr = {"batch_tokens": 8192, "micro_batch": 4, "lr": 1e-3, "weight_decay": 0.1, "beta1": 0.9, "beta2": 0.95,
          "grad_clip": 1.0, **cfg.get("training", {})}
    t, mb = m["block_size"], tr["micro_batch"]
    accum = tr["batch_tokens"] // (mb * t * world)
    assert accum * mb * t * world == tr["batch_tokens"], "batch_tokens must be a multiple of micro_batch × T × ranks"

    torch.manual_seed(1337)
    model = Llama(m) if m.get("family", "gpt2") == "llama" else GPT(m)
    ddp = torch.nn.parallel.DistributedDataParallel(model) if distributed else model
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": tr["weight_decay"]}, {"params": no_decay, "weight_decay": 0}],
                            lr=tr["lr"], betas=(tr["beta1"], tr["beta2"]), eps=1e-8, foreach=True)
    gen = torch.Generator().manual_seed(rank)
    data = torch.randint(0, m["vocab_size"], (accum, mb, t + 1), generator=gen)

    def step():
        opt.zero_grad(set_to_none=True)
        for i in range(accum):
            # DDP all-reduces (bucketed, overlapped with backward) only on the last micro-batch.
            sync = contextlib.nullcontext() if (i == accum - 1 or not distributed) else ddp.no_sync()
            with sync:
                loss = ddp(data[i, :, :-1], data[i, :, 1:]) / tr["batch_tokens"]
                loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), tr["grad_clip"])
        opt.step()

    step()  # warm-up
    times = []
    for _ in range(args.steps):
        if distributed:
            dist.barrier()
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    mean = torch.tensor([sum(times) / len(times)])
    if distributed:
        dist.all_reduce(mean, op=dist.ReduceOp.MAX)
    tps = tr["batch_tokens"] / mean.item()
    fpt = flops_per_token(model, m, t)
    if rank == 0:
        out = {"framework": f"pytorch {torch.__version__}", "ranks": world, "threads_per_rank": args.threads,
               "tokens_per_s": tps, "ms_per_step": mean.item() * 1000, "flops_per_token": fpt, "steps": args.steps}
        if args.sgemm_peak:
            out["mfu"] = fpt * tps / (args.sgemm_peak * 1e9)
        if args.json:
            print(json.dumps(out, sort_keys=True))
        else:
            mfu = f", MFU {100 * out['mfu']:.1f}%" if "mfu" in out else ""
            print(f"pytorch {torch.__version__}: {world} rank(s) × {args.threads} thread(s): "
                  f"{tps:.1f} tokens/s, {mean.item() * 1000:.1f} ms/step{mfu}")
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
