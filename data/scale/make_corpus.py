#!/usr/bin/env python3
"""Build a large test corpus from the bundled Shakespeare works, for measuring `trainer prepare`.

Usage:
    python3 data/scale/make_corpus.py SIZE_MB [--format folder|text|jsonl] [--gzip] [--out DIR]

folder (default): copies of data/shakespeare/*.txt as copy_NNNN/<work>.txt, one document each,
    until the corpus holds SIZE_MB megabytes (10^6 bytes); 120 MB is 24 copies, 1,008 files.
text: the same bytes as one file, corpus.txt (one document; split over the ranks at line starts).
jsonl: one {"text": ...} document per paragraph of every copy, in corpus.jsonl.
--gzip compresses every file (gzip level 6). The default output is /tmp/trainer-corpora/FORMAT-SIZEMB;
never write a generated corpus inside the repository. Standard library only.
"""
import argparse
import gzip
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def works():
    folder = os.path.join(ROOT, "data", "shakespeare")
    names = sorted(n for n in os.listdir(folder) if n.endswith(".txt"))
    return [(n, open(os.path.join(folder, n), "rb").read()) for n in names]


def opener(path, compress):
    return gzip.open(path + ".gz", "wb", compresslevel=6) if compress else open(path, "wb")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("size_mb", type=int)
    parser.add_argument("--format", choices=["folder", "text", "jsonl"], default="folder")
    parser.add_argument("--gzip", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args()
    target = args.size_mb * 1_000_000
    out = args.out or f"/tmp/trainer-corpora/{args.format}{'-gz' if args.gzip else ''}-{args.size_mb}MB"
    if os.path.abspath(out).startswith(ROOT + os.sep):
        sys.exit("error: write generated corpora outside the repository (e.g. under /tmp)")
    os.makedirs(out, exist_ok=True)
    texts = works()
    written, copy = 0, 0
    single = None
    if args.format != "folder":
        single = opener(os.path.join(out, "corpus." + ("txt" if args.format == "text" else "jsonl")), args.gzip)
    while written < target:
        for name, data in texts:
            if args.format == "folder":
                folder = os.path.join(out, f"copy_{copy:04d}")
                os.makedirs(folder, exist_ok=True)
                with opener(os.path.join(folder, name), args.gzip) as f:
                    f.write(data)
            elif args.format == "text":
                single.write(data)
            else:
                for paragraph in data.decode("utf-8").split("\n\n"):
                    if paragraph.strip():
                        single.write((json.dumps({"text": paragraph}, ensure_ascii=False) + "\n").encode("utf-8"))
            written += len(data)
        copy += 1
    if single:
        single.close()
    print(f"{out}: {written / 1e6:.1f} MB of text in {copy} copies of {len(texts)} works")


if __name__ == "__main__":
    main()
