#!/usr/bin/env python3
"""Writes the safetensors interop fixtures for Tests/TrainingTests/SafetensorsInteropTests.swift.

What it writes
  Tests/TrainingTests/Fixtures/python_written.safetensors
      written by Python's own `safetensors.numpy.save_file` (safetensors 0.8.0). Its tensors and metadata
      are defined below; every value follows a formula the Swift test recomputes, and the Swift test
      (a) reads this file and checks names, dtypes, shapes, metadata and values, and (b) writes the same
      tensors and metadata with `Safetensors.write` and compares the result with this file BYTE FOR BYTE.

How to rerun
  /tmp/venv/bin/python reference/safetensors_fixtures.py      (any venv with numpy and safetensors)
  The output is deterministic (see "metadata order" below), so rerunning must leave git clean.

Byte-for-byte notes
  * Python orders tensors by dtype size, largest first, then by name; the Swift test passes its tensors
    in that order (Safetensors.write keeps the caller's order).
  * safetensors keeps __metadata__ in a Rust HashMap, so with more than one key Python's key order is
    random per call. The Swift writer sorts metadata keys. To obtain a Python-written file in that one
    deterministic order this script calls `save` until Python happens to emit the keys sorted (1 in 6
    for 3 keys) and checks that it did. The bytes are still entirely Python's.
  * The script also checks the finished file loads back in Python with the right values.
"""
import json
import pathlib
import struct

import numpy as np
import safetensors
from safetensors.numpy import load_file, save

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "TrainingTests" / "Fixtures" / "python_written.safetensors"

# Values: element i of a tensor is start + i * step (row-major); the Swift test uses the same table.
SPECS = [
    # name, dtype, shape, start, step
    ("wte.weight", np.float32, (4, 3), 0.0, 0.5),
    ("h.0.attn.c_attn.weight", np.float32, (3, 2, 2), -1.0, 0.25),
    ("ln_f.bias", np.float32, (1,), -2.5, 0.0),
    ("scale", np.float32, (), 3.0, 0.0),
    ("tokens_seen", np.int64, (2,), 7, 1000),
]
# Escapes (quote, newline, control char) and non-ASCII exercise the JSON string encoding.
METADATA = {"format": "pt", "note": 'caf\u00e9 "quoted"\nline\u0001', "step": "42"}


def tensors():
    out = {}
    for name, dtype, shape, start, step in SPECS:
        n = int(np.prod(shape, dtype=np.int64))
        out[name] = (start + np.arange(n, dtype=np.float64) * step).astype(dtype).reshape(shape)
    return out


def header_of(blob):
    (n,) = struct.unpack("<Q", blob[:8])
    return blob[8 : 8 + n]


def main():
    assert safetensors.__version__ == "0.8.0", f"fixtures were made with safetensors 0.8.0, not {safetensors.__version__}"
    data = tensors()
    for attempt in range(1, 1001):
        blob = save(data, metadata=METADATA)
        pairs = json.loads(header_of(blob), object_pairs_hook=lambda kv: kv)
        meta_keys = [k for k, _ in dict(pairs)["__metadata__"]]
        if meta_keys == sorted(METADATA):
            break
    else:
        raise SystemExit("Python never wrote the metadata keys in sorted order")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(blob)

    back = load_file(str(OUT))
    assert sorted(back) == sorted(data)
    for name, value in data.items():
        assert back[name].dtype == value.dtype and back[name].shape == value.shape and np.array_equal(back[name], value), name
    print(f"wrote {OUT.relative_to(ROOT)} ({len(blob)} bytes, metadata sorted after {attempt} save call(s))")
    print("header:", header_of(blob).decode())
    print("verified: Python loads it back with the expected names, dtypes, shapes and values")


if __name__ == "__main__":
    main()
