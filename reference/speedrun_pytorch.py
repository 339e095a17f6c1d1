"""The Shakespeare speedrun's recipe in PyTorch, for the recipes table's time-to-quality row.

The same model as configs/shakespeare-speedrun.json (Llama family: RMSNorm, rotary positions,
SwiGLU of our default width ⌈C/24⌉·64, no biases, tied head; rms_norm_eps and rope_theta from
the config), the same initialization (our SplitMix64 + Box-Muller stream, drawn tensor by tensor
in our ParameterLayout order, so step 0's weights are ours), the same samples in the same order
(our SampleOrder's Feistel permutation of the llm.c shards in data.dir), the same optimizers:
torch.optim.Muon (lr, momentum 0.95, Nesterov, 5 Newton-Schulz steps, adjust_lr_fn "original"
= √max(1, rows/cols), decoupled weight decay) on the blocks' 2-D matrices and torch.optim.AdamW
at adam_lr (0: lr / 4) on the embedding (decayed) and the gains (not), global-norm clipping, and
the wsd schedule (warmup, constant, linear decay over the last decay_fraction of the steps).
torch.optim.Muon runs Newton-Schulz in bfloat16; --ns-float32 swaps in the same iteration in
float32, as the trainer computes it.

It trains until --seconds of wall time (from the script's start) are nearly spent: until the
decay begins, max_steps is re-estimated from the mean step time so far (the final evaluation and
the save counted), then fixed; --max-steps N fixes it from the start instead. At the end it
reports held-out bits per byte measured as `trainer eval CHECKPOINT` measures them: eval.batches
batches of micro_batch validation windows (batch i = samples i·B ..< (i+1)·B), mean token loss ×
tokens / ln 2 / the text bytes of the target tokens (<|endoftext|> spells none). --out DIR saves
the model as a transformers Llama directory (config.json, model.safetensors, the tokenizer);
--score DIR scores such a directory, or one of our checkpoints, with transformers instead of
training, which is how the metric was checked against `trainer eval` (README, Shakespeare speedrun).

One process with 2 threads, or 2 gloo DDP processes with 1 thread each (each takes its rank's
half of every global batch, as mpirun -n 2 does):
  /work/venv/bin/python reference/speedrun_pytorch.py --seconds 600 --threads 2 --out /tmp/speedrun-pt
  /work/venv/bin/torchrun --nproc_per_node 2 reference/speedrun_pytorch.py --seconds 600 --threads 1
  /work/venv/bin/python reference/speedrun_pytorch.py --score checkpoints/shakespeare-speedrun
"""
import argparse
import contextlib
import json
import math
import os
import shutil
import time

START = time.perf_counter()

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
import torch.optim._muon as muon_module

from config_overrides import apply_overrides

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def load_config(path, overrides):
    """Our defaults (Sources/RunConfig/TrainConfig.swift, GPTConfig.swift) under the file's fields and --set."""
    cfg = {"model": {"n_layer": 6, "n_head": 6, "n_embd": 384, "block_size": 256, "vocab_size": 8192, "family": "gpt2",
                     "intermediate_size": 0, "tied_head": True, "qk_norm": False, "rope_theta": 10000.0, "norm_eps": 1e-6},
           "data": {"dir": "data/prepared/shakespeare-8k"},
           "training": {"batch_tokens": 8192, "micro_batch": 4, "max_steps": 600, "lr": 1e-3, "min_lr": 1e-4,
                        "warmup_steps": 50, "schedule": "cosine", "decay_fraction": 0.2, "optimizer": "adamw",
                        "adam_lr": 0.0, "muon_momentum": 0.95, "weight_decay": 0.1, "beta1": 0.9, "beta2": 0.95,
                        "grad_clip": 1.0, "seed": 1337, "log_every": 10},
           "eval": {"batches": 20}}
    with open(path) as f:
        for section, fields in json.load(f).items():
            cfg.setdefault(section, {}).update(fields)
    apply_overrides(cfg, overrides)
    m, t = cfg["model"], cfg["training"]
    assert m["family"] == "llama" and t["optimizer"] == "muon" and t["schedule"] == "wsd", "this script runs the llama + Muon + wsd recipe"
    if not m["intermediate_size"]:
        m["intermediate_size"] = max(1, -(-m["n_embd"] // 24)) * 64  # GPTConfig.defaultIntermediateSize
    if not t["adam_lr"]:
        t["adam_lr"] = t["lr"] / 4
    return cfg


# ---- data: llm.c shards and our sample order --------------------------------------------------

def read_split(directory, split):
    """Every token of `split`, shards in prepared.json's order (llm.c header: 256 int32, then uint16)."""
    with open(os.path.join(directory, "prepared.json")) as f:
        shards = json.load(f)[split]["shards"]
    parts = []
    for name in shards:
        raw = np.fromfile(os.path.join(directory, name), dtype=np.uint8)
        header = raw[:1024].view("<i4")
        assert header[0] == 20240520 and header[1] == 1, f"{name}: not an llm.c token shard"
        parts.append(raw[1024:1024 + 2 * int(header[2])].view("<u2"))
    return torch.from_numpy(np.concatenate(parts).astype(np.int64))


def mix(z):
    """SplitMix64's finalizer (Sources/Data/SplitMix64.swift)."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class SampleOrder:
    """Sources/Data/SampleOrder.swift: per epoch, an 8-round keyed Feistel permutation, cycle-walked."""

    def __init__(self, count, seed):
        self.count, self.seed = count, seed
        self.half = 1
        while self.half < 62 and (1 << (2 * self.half)) < count:
            self.half += 1

    def sample(self, position):
        epoch, index = divmod(position, self.count)
        key = mix(self.seed ^ mix((epoch + 0x5851F42D4C957F2D) & MASK))
        mask = (1 << self.half) - 1
        value = index
        while True:
            left, right = (value >> self.half) & mask, value & mask
            for r in range(8):
                f = mix(right ^ ((key + r * GOLDEN) & MASK)) & mask
                left, right = right, left ^ f
            value = (left << self.half) | right
            if value < self.count:
                return value


def windows(tokens, samples, T):
    """Inputs and targets (B, T) of the windows starting at sample·T."""
    rows = torch.stack([tokens[s * T:s * T + T + 1] for s in samples])
    return rows[:, :-1], rows[:, 1:]


# ---- model: transformers' Llama, named as its state_dict ------------------------------------

def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


class Attention(nn.Module):
    def __init__(self, m):
        super().__init__()
        C, self.nh = m["n_embd"], m["n_head"]
        self.q_proj, self.k_proj, self.v_proj, self.o_proj = (nn.Linear(C, C, bias=False) for _ in range(4))
        self.qk_norm, self.eps = m["qk_norm"], m["norm_eps"]
        if self.qk_norm:
            self.q_norm, self.k_norm = nn.RMSNorm(C // self.nh, eps=self.eps), nn.RMSNorm(C // self.nh, eps=self.eps)

    def forward(self, x, cos, sin):
        B, T, C = x.shape
        q, k, v = (p(x).view(B, T, self.nh, C // self.nh).transpose(1, 2) for p in (self.q_proj, self.k_proj, self.v_proj))
        if self.qk_norm:
            q, k = self.q_norm(q), self.k_norm(k)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o_proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, m):
        super().__init__()
        C, I = m["n_embd"], m["intermediate_size"]
        self.gate_proj, self.up_proj = nn.Linear(C, I, bias=False), nn.Linear(C, I, bias=False)
        self.down_proj = nn.Linear(I, C, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.input_layernorm = nn.RMSNorm(m["n_embd"], eps=m["norm_eps"])
        self.self_attn = Attention(m)
        self.post_attention_layernorm = nn.RMSNorm(m["n_embd"], eps=m["norm_eps"])
        self.mlp = MLP(m)

    def forward(self, x, cos, sin):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        return x + self.mlp(self.post_attention_layernorm(x))


class Trunk(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.embed_tokens = nn.Embedding(m["vocab_size"], m["n_embd"])
        self.layers = nn.ModuleList(Layer(m) for _ in range(m["n_layer"]))
        self.norm = nn.RMSNorm(m["n_embd"], eps=m["norm_eps"])


class Llama(nn.Module):
    """LlamaForCausalLM (Qwen3ForCausalLM with qk_norm) without the generation machinery."""

    def __init__(self, m):
        super().__init__()
        self.model = Trunk(m)
        self.lm_head = None if m["tied_head"] else nn.Linear(m["n_embd"], m["vocab_size"], bias=False)
        hs = m["n_embd"] // m["n_head"]
        inv_freq = 1.0 / (m["rope_theta"] ** (torch.arange(0, hs, 2, dtype=torch.int64).float() / hs))
        freqs = torch.outer(torch.arange(m["block_size"]).float(), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos", emb.cos(), persistent=False)
        self.register_buffer("sin", emb.sin(), persistent=False)

    def forward(self, idx):
        T = idx.shape[1]
        x = self.model.embed_tokens(idx)
        for layer in self.model.layers:
            x = layer(x, self.cos[:T], self.sin[:T])
        x = self.model.norm(x)
        return F.linear(x, self.model.embed_tokens.weight if self.lm_head is None else self.lm_head.weight)


def layout_names(m):
    """Sources/GPT/ParameterLayout+Llama.swift's order."""
    names = ["model.embed_tokens.weight"]
    for l in range(m["n_layer"]):
        p = f"model.layers.{l}."
        names += [p + n for n in ["input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight"]]
        if m["qk_norm"]:
            names += [p + "self_attn.q_norm.weight", p + "self_attn.k_norm.weight"]
        names += [p + n for n in ["self_attn.o_proj.weight", "post_attention_layernorm.weight", "mlp.gate_proj.weight",
                                  "mlp.up_proj.weight", "mlp.down_proj.weight"]]
    return names + ["model.norm.weight"] + ([] if m["tied_head"] else ["lm_head.weight"])


def initialize(model, m, seed):
    """GPTModel.initializeWeights: gains 1, every matrix N(0, 0.02) from SplitMix64(seed) through
    Box-Muller (cos, then the spare sin), one stream over the tensors in layout order."""
    params = dict(model.named_parameters())
    drawn = [n for n in layout_names(m) if params[n].dim() == 2]
    total = sum(params[n].numel() for n in drawn)
    pairs = (total + 1) // 2
    state = (seed + np.arange(1, 2 * pairs + 1, dtype=np.uint64) * np.uint64(GOLDEN))  # wraps mod 2^64
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    bits = z ^ (z >> np.uint64(31))
    u1 = ((bits[0::2] >> np.uint64(11)) + np.uint64(1)).astype(np.float64) * 2.0 ** -53
    u2 = (bits[1::2] >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    radius, angle = np.sqrt(-2 * np.log(u1)), 2 * math.pi * u2
    normal = np.empty(2 * pairs)
    normal[0::2], normal[1::2] = radius * np.cos(angle), radius * np.sin(angle)
    values = (normal[:total] * 0.02).astype(np.float32)
    offset = 0
    with torch.no_grad():
        for name, p in params.items():
            if p.dim() == 1:
                p.fill_(1)
        for name in drawn:
            n = params[name].numel()
            params[name].copy_(torch.from_numpy(values[offset:offset + n]).view_as(params[name]))
            offset += n


# ---- optimizers and schedule -----------------------------------------------------------------

def float32_newton_schulz(grad, ns_coefficients, ns_steps, eps):
    """torch's _zeropower_via_newtonschulz with float32 in place of its bfloat16 cast."""
    a, b, c = ns_coefficients
    x = grad.to(dtype=torch.float32, copy=True)
    tall = grad.size(0) > grad.size(1)
    x = x.T if tall else x
    x.div_(x.norm().clamp(min=eps))
    for _ in range(ns_steps):
        gram = x @ x.T
        x = torch.addmm(x, torch.addmm(gram, gram, gram, beta=b, alpha=c), x, beta=a)
    return x.T if tall else x


def optimizers(model, t):
    matrices = [p for n, p in model.named_parameters() if n.startswith("model.layers.") and p.dim() == 2]
    embeddings = [p for n, p in model.named_parameters() if not n.startswith("model.layers.") and p.dim() == 2]
    gains = [p for p in model.parameters() if p.dim() == 1]
    muon = torch.optim.Muon(matrices, lr=t["lr"], weight_decay=t["weight_decay"], momentum=t["muon_momentum"],
                            nesterov=True, ns_steps=5, adjust_lr_fn="original")
    adamw = torch.optim.AdamW([{"params": embeddings, "weight_decay": t["weight_decay"]}, {"params": gains, "weight_decay": 0.0}],
                              lr=t["adam_lr"], betas=(t["beta1"], t["beta2"]), eps=1e-8, foreach=True)
    return muon, adamw


def wsd_rate(t, step, max_steps):
    """Sources/Training/Loop/LearningRateSchedule.swift, schedule "wsd", 0-based step."""
    peak, low, warm = t["lr"], t["min_lr"], t["warmup_steps"]
    if step < warm:
        return peak * (step + 1) / (warm + 1)
    start = max(warm, max_steps - int(math.floor(max_steps * t["decay_fraction"] + 0.5)))
    if step <= start:
        return peak
    return low + (1 - min(1.0, (step - start) / max(1, max_steps - start))) * (peak - low)


def decay_start(t, max_steps):
    return max(t["warmup_steps"], max_steps - int(math.floor(max_steps * t["decay_fraction"] + 0.5)))


# ---- the metric: `trainer eval` on the validation split ------------------------------------

def token_bytes(directory):
    """Bytes each token id spells (GPT-2 byte-level vocab.json; <|endoftext|> spells none)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, n = printable[:], 0
    for b in range(256):
        if b not in printable:
            chars.append(256 + n)
            n += 1
    known = {chr(c) for c in chars}
    with open(os.path.join(directory, "vocab.json")) as f:
        vocab = json.load(f)
    counts = [0] * len(vocab)
    for text, i in vocab.items():
        counts[i] = 0 if text == "<|endoftext|>" else len(text)
        assert text == "<|endoftext|>" or all(ch in known for ch in text), f"{text!r} is not a byte-level token"
    return torch.tensor(counts, dtype=torch.float64)


@torch.no_grad()
def bits_per_byte(logits_of, val, counts, T, B, batches, rank=0, world=1):
    """Evaluator.evaluate: batches of B windows, batch i = samples i·B ..< (i+1)·B (wrapping);
    rank r takes batches r, r + world, … and the sums are all-reduced."""
    samples = max(1, (len(val) - 1) // T)
    nats, tokens, nbytes = 0.0, 0, 0.0
    for i in range(rank, batches, world):
        x, y = windows(val, [(i * B + j) % samples for j in range(B)], T)
        logits = logits_of(x).float()
        nats += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum", ignore_index=-1))
        tokens += y.numel()
        nbytes += float(counts[y].sum())
    if world > 1:
        sums = torch.tensor([nats, tokens, nbytes], dtype=torch.float64)
        dist.all_reduce(sums)
        nats, tokens, nbytes = float(sums[0]), int(sums[1]), float(sums[2])
    loss = nats / tokens
    return loss, tokens, int(nbytes), loss * tokens / math.log(2) / nbytes


# ---- saving and scoring transformers directories ---------------------------------------------

def save_llama_directory(model, m, data_dir, out):
    """config.json as our checkpoints write it (GPTConfig+HuggingFace.swift), model.safetensors, the tokenizer."""
    from safetensors.torch import save_file
    os.makedirs(out, exist_ok=True)
    tensors = {n: p.detach().contiguous() for n, p in model.named_parameters()}
    save_file(tensors, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(data_dir, "vocab.json")) as f:
        eos = json.load(f)["<|endoftext|>"]
    qk = m["qk_norm"]
    config = {"model_type": "qwen3" if qk else "llama", "architectures": ["Qwen3ForCausalLM" if qk else "LlamaForCausalLM"],
              "hidden_size": m["n_embd"], "intermediate_size": m["intermediate_size"], "num_hidden_layers": m["n_layer"],
              "num_attention_heads": m["n_head"], "num_key_value_heads": m["n_head"], "head_dim": m["n_embd"] // m["n_head"],
              "rms_norm_eps": m["norm_eps"], "rope_theta": m["rope_theta"],
              "rope_parameters": {"rope_type": "default", "rope_theta": m["rope_theta"]},
              "max_position_embeddings": m["block_size"], "vocab_size": m["vocab_size"], "tie_word_embeddings": m["tied_head"],
              "attention_bias": False, "mlp_bias": False, "hidden_act": "silu", "torch_dtype": "float32",
              "bos_token_id": eos, "eos_token_id": eos}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    for name in ["vocab.json", "merges.txt"]:
        shutil.copy(os.path.join(data_dir, name), out)
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "GPT2Tokenizer", "model_max_length": m["block_size"], "add_prefix_space": False,
                   "add_bos_token": False, "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}, f)


def score(args):
    """Bits per byte of a transformers directory (ours or --out's) on data.dir's validation split."""
    from transformers import AutoModelForCausalLM
    torch.set_num_threads(args.threads)
    directory = args.score
    if os.path.exists(os.path.join(directory, "latest")):  # one of our run directories: its newest checkpoint
        with open(os.path.join(directory, "latest")) as f:
            directory = os.path.join(directory, f.read().strip())
    state = os.path.join(directory, "state.json")
    cfg = load_config(args.config, args.set)
    if os.path.exists(state):  # our checkpoint: its own config's data, batch and eval settings
        with open(state) as f:
            saved = json.load(f)["config"]
        for section in ["data", "training", "eval"]:
            cfg[section].update({k: v for k, v in saved[section].items() if k in cfg[section]})
    model = AutoModelForCausalLM.from_pretrained(directory, attn_implementation="sdpa").eval()
    T, data_dir = model.config.max_position_embeddings, args.data_dir or cfg["data"]["dir"]
    loss, tokens, nbytes, bpb = bits_per_byte(lambda x: model(input_ids=x).logits, read_split(data_dir, "val"), token_bytes(data_dir),
                                              T, cfg["training"]["micro_batch"], cfg["eval"]["batches"])
    print(f"{directory}: {type(model).__name__}, validation of {data_dir}: loss {loss:.6f} over {tokens} tokens, "
          f"{nbytes} bytes, {bpb:.6f} bits per byte")


# ---- training ----------------------------------------------------------------------------------

def train(args):
    torch.set_num_threads(args.threads)
    distributed = "WORLD_SIZE" in os.environ
    if distributed:
        dist.init_process_group("gloo")
    rank, world = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)
    say = print if rank == 0 else (lambda *a, **k: None)
    cfg = load_config(args.config, args.set)
    m, t = cfg["model"], cfg["training"]
    data_dir = args.data_dir or cfg["data"]["dir"]
    T, B = m["block_size"], t["micro_batch"]
    S = t["batch_tokens"] // T  # sequences per step, all ranks
    accum = S // (B * world)
    assert accum * B * world == S, "batch_tokens must be a multiple of micro_batch × block_size × ranks"
    if args.ns_float32:
        muon_module._zeropower_via_newtonschulz = float32_newton_schulz
    train_tokens, val = read_split(data_dir, "train"), read_split(data_dir, "val")
    counts = token_bytes(data_dir)
    order = SampleOrder((len(train_tokens) - 1) // T, t["seed"])
    model = Llama(m)
    initialize(model, m, t["seed"])
    ddp = torch.nn.parallel.DistributedDataParallel(model) if distributed else model
    muon, adamw = optimizers(model, t)
    ratio = t["adam_lr"] / t["lr"]
    evaluate = lambda: bits_per_byte(model, val, counts, T, B, cfg["eval"]["batches"], rank, world)
    say(f"pytorch {torch.__version__}: {world} process(es) x {args.threads} thread(s); {sum(p.numel() for p in model.parameters())} "
        f"parameters; {S} x {T} tokens per step in {accum} micro-batch(es) of {B} per rank; Newton-Schulz in "
        f"{'float32' if args.ns_float32 else 'bfloat16 (torch)'}; budget {args.seconds:.0f} s")
    # The final evaluation is forward only over eval.batches × micro_batch windows: about a third of
    # a training step's time per sequence, shared by the ranks; the budget keeps twice that for it.
    eval_share = 2 * cfg["eval"]["batches"] * B / S / 3
    max_steps, fixed = args.max_steps or t["max_steps"], args.max_steps is not None
    train_begin, step, seen, last = time.perf_counter(), 0, 0, None
    while step < max_steps:
        rate = wsd_rate(t, step, max_steps)
        for group in muon.param_groups:
            group["lr"] = rate
        for group in adamw.param_groups:
            group["lr"] = rate * ratio
        loss_sum = 0.0
        for micro in range(accum):
            first = step * S + rank * (S // world) + micro * B  # BatchPlan.firstPosition
            x, y = windows(train_tokens, [order.sample(first + j) for j in range(B)], T)
            sync = ddp.no_sync() if distributed and micro < accum - 1 else contextlib.nullcontext()
            with sync:
                logits = ddp(x)
                loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum")
                (loss * (world / (S * T))).backward()  # DDP averages over ranks; the step's loss is the global mean
            loss_sum += loss.item()
        torch.nn.utils.clip_grad_norm_(model.parameters(), t["grad_clip"])
        muon.step()
        adamw.step()
        muon.zero_grad(set_to_none=True)
        adamw.zero_grad(set_to_none=True)
        step += 1
        seen += S * T
        now = time.perf_counter()
        clock = torch.tensor([now - START, now - train_begin, loss_sum], dtype=torch.float64)
        if distributed:  # every rank decides from rank 0's clock and the global loss
            total = clock[2:].clone()
            dist.all_reduce(total)
            dist.broadcast(clock, 0)
            clock[2] = total[0]
        elapsed, training = float(clock[0]), float(clock[1])
        last = float(clock[2]) / (S * T)
        if step == 1 or step % t["log_every"] == 0:
            say(f"step {step}/{max_steps}: train loss {last:.4f}, lr {rate:.3e}, {seen / training:.0f} tokens/s, {elapsed:.1f} s")
        per_step = training / step
        if not fixed and step >= decay_start(t, max_steps):
            fixed = True
            say(f"step {step}: the decay begins; max_steps fixed at {max_steps}")
        elif not fixed and step >= 3:
            room = args.seconds - (train_begin - START) - per_step * eval_share - args.reserve
            max_steps = max(step + 1, int(room / per_step))
        if elapsed + per_step * (1 + eval_share) + args.reserve > args.seconds and step < max_steps:
            say(f"step {step}: out of time ({elapsed:.1f} s); stopping before max_steps {max_steps}")
            break
    training = time.perf_counter() - train_begin
    model.eval()
    loss, tokens, nbytes, bpb = evaluate()
    say(f"done: {step} steps, {seen} tokens in {training:.1f} s of training ({seen / training:.1f} tokens/s), "
        f"last train loss {last:.4f}; validation loss {loss:.6f} over {tokens} tokens, {nbytes} bytes: "
        f"{bpb:.4f} bits per byte; {time.perf_counter() - START:.1f} s since start")
    if rank == 0 and args.out:
        save_llama_directory(model, m, data_dir, args.out)
        say(f"saved {args.out} (transformers Llama directory; score it with --score {args.out})")
    if args.json and rank == 0:
        print(json.dumps({"framework": f"pytorch {torch.__version__}", "processes": world, "threads": args.threads,
                          "steps": step, "tokens": seen, "train_seconds": training, "tokens_per_s": seen / training,
                          "val_loss": loss, "bits_per_byte": bpb, "wall_seconds": time.perf_counter() - START}, sort_keys=True))
    if distributed:
        dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="configs/shakespeare-speedrun.json")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override a config field, as trainer's --set does")
    ap.add_argument("--data-dir", help="llm.c shards + vocab.json (default: the config's data.dir)")
    ap.add_argument("--seconds", type=float, default=600, help="wall-clock budget from the script's start")
    ap.add_argument("--reserve", type=float, default=5, help="seconds kept back for the save and exit")
    ap.add_argument("--max-steps", type=int, help="fixed max_steps instead of one fitted to --seconds")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--ns-float32", action="store_true", help="Newton-Schulz in float32 (the trainer's) instead of torch's bfloat16")
    ap.add_argument("--out", help="save the final model here as a transformers Llama directory")
    ap.add_argument("--score", metavar="DIR", help="only score DIR (transformers directory or our checkpoint) and exit")
    ap.add_argument("--json", action="store_true", help="also print the final figures as one JSON line")
    args = ap.parse_args()
    score(args) if args.score else train(args)


if __name__ == "__main__":
    main()
