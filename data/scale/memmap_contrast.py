#!/usr/bin/env python3
"""The failure trainer avoids, on the same shards: random windows read through np.memmap, as
nanoGPT's get_batch reads them (issue 287), make the process's resident memory grow with what
it has read. Compare with measure_residency.sh, whose trainer reads with pread.

Usage: python3 data/scale/memmap_contrast.py DATA_DIR [READS]   (needs numpy; e.g. /work/venv)
DATA_DIR: the shards measure_residency.sh lays out (/tmp/trainer-scale/residency/data).
"""
import glob
import os
import random
import sys

import numpy as np


def rss_mb():
    with open("/proc/self/status") as f:
        fields = dict(line.split(":", 1) for line in f)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["RssFile"].split()[0]) / 1024


def main():
    directory = sys.argv[1]
    reads = int(sys.argv[2]) if len(sys.argv) > 2 else 320_000
    shards = [np.memmap(p, dtype=np.uint16, mode="r", offset=1024) for p in sorted(glob.glob(os.path.join(directory, "*train*.bin")))]
    rng = random.Random(1337)
    total = 0
    for i in range(1, reads + 1):
        shard = shards[rng.randrange(len(shards))]
        start = rng.randrange(len(shard) - 33)
        total += int(shard[start:start + 33].astype(np.int64).sum())
        if i % (reads // 8) == 0:
            rss, file_rss = rss_mb()
            print(f"{i:7d} windows  VmRSS {rss:7.1f} MB  RssFile {file_rss:7.1f} MB")
    print(f"checksum {total}")


if __name__ == "__main__":
    main()
