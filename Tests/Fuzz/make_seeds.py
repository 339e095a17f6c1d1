#!/usr/bin/env python3
"""Writes the small valid seed inputs of launch/fuzz.sh into Tests/Fuzz/Corpus/TARGET/.

Standard library only. The state.json seed is a real checkpoint's (copied from a gpt-tiny run,
see Tests/Fuzz/README.md), since its config section must match the trainer's config fields.
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def put(target, name, data):
    folder = os.path.join(HERE, "Corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def safetensors(tensors, metadata=None):
    """tensors: [(name, dtype, shape, raw bytes)] written in order, as Python's safetensors does."""
    header, offset = {}, 0
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(t[3] for t in tensors)


def byte_order():
    """GPT-2's byte order: printable Latin-1 ranges first, then the rest."""
    first = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    return first + [b for b in range(256) if b not in first]


def byte_encoder():
    order, rest = byte_order(), 0
    out = {}
    for b in order:
        if b in order[:188]:
            out[b] = chr(b)
        else:
            out[b] = chr(256 + rest)
            rest += 1
    return out


def tokenizer():
    enc = byte_encoder()
    vocab = {enc[b]: i for i, b in enumerate(byte_order())}
    merges = []
    for left, right in [("t", "h"), ("th", "e"), ("Ġ", "th"), ("e", "r"), ("Ġ", "t"), ("o", "u")]:
        merges.append(f"{left} {right}")
        vocab[left + right] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    return json.dumps(vocab, ensure_ascii=False).encode() + b"\0" + ("#version: 0.2\n" + "\n".join(merges) + "\n").encode()


def main():
    floats = struct.pack("<6f", 1, 2, 3, 4, 5, 6)
    put("safetensors", "two-tensors", safetensors([("w", "F32", [2, 3], floats), ("b", "BF16", [2], b"\x80\x3f\x00\x40")], {"format": "pt"}))
    put("safetensors", "scalar-and-empty", safetensors([("s", "F64", [], struct.pack("<d", 0.5)), ("e", "U8", [0], b"")]))
    put("shard", "sixteen-tokens", struct.pack("<256i", 20240520, 1, 16, *([0] * 253)) + struct.pack("<16H", *range(0, 160, 10)))
    with open(os.path.join(ROOT, "configs", "gpt-tiny.json"), "rb") as f:
        tiny = f.read()
    put("config", "gpt-tiny", tiny)
    put("config", "gpt-tiny-with-overrides", tiny + b"\0training.max_steps=5\0model.n_layer=1\0data.corpus=x.txt")
    put("tokenizer", "six-merges", tokenizer())
    put("finetune", "instruct", b'{"instruction": "Name the play.", "input": "To be or not", "output": "Hamlet"}\n\n'
        b'{"instruction": "Say hi.", "output": "hi"}\r\n')
    put("finetune", "classify", b'{"text": "Now is the winter of our discontent", "label": "history"}\n{"text": "All the world", "label": "comedy"}\n')


if __name__ == "__main__":
    main()
