"""Writes Tests/GGUFTests/Fixtures/: GGUF files written by the `gguf` package (llama.cpp's own
writer library, gguf-py), which the Swift GGUF writer must reproduce byte for byte.

- gpt2-tiny-{f32,f16,q8_0}.gguf: the committed Hugging Face GPT-2 fixture
  (Tests/TrainingTests/Fixtures/hf-gpt2-tiny: model.safetensors, vocab.json, merges.txt,
  config.json) converted as llama.cpp's convert_hf_to_gguf.py (class GPT2Model) converts it:
  Conv1D weights transposed, no output.weight (the head is tied to token_embd), 1-D tensors and
  position_embd kept F32, the same metadata keys in the same order. Two deliberate differences
  from running convert_hf_to_gguf.py itself: tensors are in our parameter order (wte, wpe,
  blocks, ln_f) instead of safetensors' sorted order, and general.name is given ("gpt2-tiny")
  instead of guessed from the directory name. tokenizer.ggml.pre is "gpt-2": the converter
  would refuse our corpus-trained tokenizer (it recognizes pre-tokenizers by a hash of known
  tokenizers' output), but the pre-tokenizer is GPT-2's.
- llama-tiny/model.safetensors + config.json: a tiny random LlamaForCausalLM (2 layers, width
  32, 2 heads, 1 KV head, untied head), and llama-tiny-{f16,q8_0}.gguf converted as
  convert_hf_to_gguf.py (class LlamaModel) does: q_proj/k_proj rows permuted for llama.cpp's
  rotary layout (LlamaModel.permute), llama.* metadata, the same GPT-2 tokenizer.

Rerun (CPU, offline):
  HF_HUB_OFFLINE=1 /work/venv/bin/python reference/make_gguf_fixture.py
"""
import json
import os

import gguf
import numpy as np
import torch
from safetensors.numpy import load_file
from safetensors.torch import save_file
from transformers import LlamaConfig, LlamaForCausalLM

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HF = os.path.join(ROOT, "Tests", "TrainingTests", "Fixtures", "hf-gpt2-tiny")
OUT = os.path.join(ROOT, "Tests", "GGUFTests", "Fixtures")
FILE_TYPES = {"f32": gguf.LlamaFileType.ALL_F32, "f16": gguf.LlamaFileType.MOSTLY_F16, "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0}
QUANT = {"f32": gguf.GGMLQuantizationType.F32, "f16": gguf.GGMLQuantizationType.F16, "q8_0": gguf.GGMLQuantizationType.Q8_0}
EOT = "<|endoftext|>"


def read_tokenizer(directory):
    with open(os.path.join(directory, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    tokens = [None] * len(vocab)
    for spelling, i in vocab.items():
        tokens[i] = spelling
    with open(os.path.join(directory, "merges.txt"), encoding="utf-8") as f:
        merges = [line for line in f.read().split("\n") if line and not line.startswith("#version")]
    return tokens, merges


def add_tokenizer(writer, tokens, merges):
    """What convert_hf_to_gguf's _set_vocab_gpt2 and SpecialVocab write for our tokenizer."""
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("gpt-2")
    writer.add_token_list(tokens)
    writer.add_token_types([gguf.TokenType.CONTROL if t == EOT else gguf.TokenType.NORMAL for t in tokens])
    writer.add_token_merges(merges)
    eot = tokens.index(EOT)
    writer.add_bos_token_id(eot)
    writer.add_eos_token_id(eot)
    writer.add_unk_token_id(eot)


def add_tensor(writer, name, data, kind, keep_f32=False):
    """convert_hf_to_gguf's type choice: 1-D tensors, norms and position_embd stay F32; Q8_0
    falls back to F16 when a row is not a whole number of 32-blocks."""
    qtype = gguf.GGMLQuantizationType.F32 if keep_f32 or data.ndim <= 1 or name.endswith("_norm.weight") else QUANT[kind]
    try:
        out = gguf.quants.quantize(data, qtype)
    except gguf.QuantError:
        qtype = gguf.GGMLQuantizationType.F16
        out = gguf.quants.quantize(data, qtype)
    writer.add_tensor(name, out, raw_dtype=qtype)


def start(path, arch, name, kind, tensors):
    writer = gguf.GGUFWriter(path, arch)
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_name(name)
    total = sum(int(np.prod(t.shape)) for t in tensors.values())
    writer.add_size_label(gguf.size_label(total, total, 0, 0))
    return writer


def finish(writer, tokens, merges):
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    add_tokenizer(writer, tokens, merges)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def gpt2_tensors(weights, n_layer):
    """Our parameter order, llama.cpp's names; Conv1D (in, out) weights transposed to (out, in)."""
    w = lambda n: weights.get(n, weights.get("transformer." + n))
    yield "token_embd.weight", w("wte.weight"), False
    yield "position_embd.weight", w("wpe.weight"), True
    names = [("ln_1", "attn_norm"), ("attn.c_attn", "attn_qkv"), ("attn.c_proj", "attn_output"),
             ("ln_2", "ffn_norm"), ("mlp.c_fc", "ffn_up"), ("mlp.c_proj", "ffn_down")]
    for l in range(n_layer):
        for hf, ours in names:
            for suffix in ("weight", "bias"):
                t = w(f"h.{l}.{hf}.{suffix}")
                if suffix == "weight" and t.ndim == 2:
                    t = np.ascontiguousarray(t.T)
                yield f"blk.{l}.{ours}.{suffix}", t, False
    yield "output_norm.weight", w("ln_f.weight"), False
    yield "output_norm.bias", w("ln_f.bias"), False


def write_gpt2(kind):
    with open(os.path.join(HF, "config.json")) as f:
        config = json.load(f)
    weights = load_file(os.path.join(HF, "model.safetensors"))
    tokens, merges = read_tokenizer(HF)
    path = os.path.join(OUT, f"gpt2-tiny-{kind}.gguf")
    tensors = {n: t for n, t, _ in gpt2_tensors(weights, config["n_layer"])}
    writer = start(path, "gpt2", "gpt2-tiny", kind, tensors)
    writer.add_block_count(config["n_layer"])
    writer.add_context_length(config["n_positions"])
    writer.add_embedding_length(config["n_embd"])
    writer.add_feed_forward_length(4 * config["n_embd"])
    writer.add_head_count(config["n_head"])
    writer.add_layer_norm_eps(config["layer_norm_epsilon"])
    writer.add_file_type(FILE_TYPES[kind])
    for name, t, keep in gpt2_tensors(weights, config["n_layer"]):
        add_tensor(writer, name, t, kind, keep)
    finish(writer, tokens, merges)


def make_llama(directory):
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=320, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64,
                         rms_norm_eps=1e-6, tie_word_embeddings=False, bos_token_id=0, eos_token_id=0)
    model = LlamaForCausalLM(config).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.randn_like(p) * (0.3 if p.ndim == 2 else 0.1) + (1.0 if "norm" in name else 0.0))
    os.makedirs(directory, exist_ok=True)
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(directory, "model.safetensors"))
    config.save_pretrained(directory)
    return config, {k: v.numpy() for k, v in state.items()}


def permute(w, n_head, n_head_kv):
    """convert_hf_to_gguf's LlamaModel.permute: HF's rotate-half rows to llama.cpp's interleaved pairs."""
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return np.ascontiguousarray(w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape))


def llama_tensors(w, c):
    yield "token_embd.weight", w["model.embed_tokens.weight"]
    names = [("input_layernorm", "attn_norm"), ("self_attn.q_proj", "attn_q"), ("self_attn.k_proj", "attn_k"),
             ("self_attn.v_proj", "attn_v"), ("self_attn.o_proj", "attn_output"), ("post_attention_layernorm", "ffn_norm"),
             ("mlp.gate_proj", "ffn_gate"), ("mlp.up_proj", "ffn_up"), ("mlp.down_proj", "ffn_down")]
    for l in range(c.num_hidden_layers):
        for hf, ours in names:
            t = w[f"model.layers.{l}.{hf}.weight"]
            if hf == "self_attn.q_proj":
                t = permute(t, c.num_attention_heads, c.num_attention_heads)
            elif hf == "self_attn.k_proj":
                t = permute(t, c.num_attention_heads, c.num_key_value_heads)
            yield f"blk.{l}.{ours}.weight", t
    yield "output_norm.weight", w["model.norm.weight"]
    if "lm_head.weight" in w:
        yield "output.weight", w["lm_head.weight"]


def write_llama(kind, config, weights):
    tokens, merges = read_tokenizer(HF)
    path = os.path.join(OUT, f"llama-tiny-{kind}.gguf")
    tensors = dict(llama_tensors(weights, config))
    writer = start(path, "llama", "llama-tiny", kind, tensors)
    head_dim = config.hidden_size // config.num_attention_heads
    writer.add_block_count(config.num_hidden_layers)
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_rope_freq_base(config.rope_parameters["rope_theta"])
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_key_length(head_dim)
    writer.add_value_length(head_dim)
    writer.add_file_type(FILE_TYPES[kind])
    writer.add_vocab_size(config.vocab_size)
    writer.add_rope_dimension_count(head_dim)
    for name, t in llama_tensors(weights, config):
        add_tensor(writer, name, t, kind)
    finish(writer, tokens, merges)


def main():
    os.makedirs(OUT, exist_ok=True)
    for kind in ("f32", "f16", "q8_0"):
        write_gpt2(kind)
    config, weights = make_llama(os.path.join(OUT, "llama-tiny"))
    for kind in ("f16", "q8_0"):
        write_llama(kind, config, weights)
    for name in sorted(os.listdir(OUT)):
        path = os.path.join(OUT, name)
        if os.path.isfile(path):
            print(f"{name}: {os.path.getsize(path)} bytes")
    print(f"gguf {gguf.__version__ if hasattr(gguf, '__version__') else '?'}, numpy {np.__version__}, torch {torch.__version__}")


if __name__ == "__main__":
    main()
