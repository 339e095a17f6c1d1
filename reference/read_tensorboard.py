"""Reads a run's TensorBoard event files with the `tensorboard` package and checks them against
metrics.jsonl: every tag, how many points it has, and that each value equals metrics.jsonl's (as
float32, TensorBoard's scalar type) at the same step.

  /work/venv/bin/python reference/read_tensorboard.py checkpoints/gpt-tiny
"""
import json
import os
import struct
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def f32(x):
    return struct.unpack("<f", struct.pack("<f", float(x)))[0]


def main(run):
    files = sorted(n for n in os.listdir(run) if n.startswith("events.out.tfevents."))
    print(f"{len(files)} event file(s): {', '.join(files)}")
    acc = EventAccumulator(run, size_guidance={"scalars": 0})
    acc.Reload()
    expected = {}
    with open(os.path.join(run, "metrics.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            fields = {"val_loss": "val/loss", "val_accuracy": "val/accuracy", "val_bpb": "val/bits_per_byte"} if "val_loss" in r else \
                {"loss": "train/loss", "lr": "train/lr", "grad_norm": "train/grad_norm", "tokens_per_s": "train/tokens_per_s"}
            for key, tag in fields.items():
                if key in r:
                    expected.setdefault(tag, {})[r["step"]] = r[key]
    tags = acc.Tags()["scalars"]
    ok = sorted(tags) == sorted(expected)
    for tag in sorted(tags):
        events = acc.Scalars(tag)
        got = {e.step: e.value for e in events}
        want = expected.get(tag, {})
        mismatched = [s for s in want if s not in got or got[s] != f32(want[s])]
        ok = ok and not mismatched and len(events) == len(want)
        print(f"{tag:20s} {len(events):5d} points, steps {events[0].step}..{events[-1].step}, "
              f"metrics.jsonl {len(want)} points, {len(mismatched)} differ")
    print("every scalar matches metrics.jsonl" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
