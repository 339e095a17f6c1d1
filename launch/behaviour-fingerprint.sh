#!/usr/bin/env bash
# Records what a refactor must not change: a gpt-tiny pre-training run at -n 2, a pre-training
# from its checkpoint (training.init_from), an
# instruction fine-tune and a classification fine-tune from its checkpoint, and a tiny sweep
# (configs/sweep-tiny.json), each written under one fixed directory. Prints one line per file: metrics.jsonl with its timing fields removed,
# and the SHA-256 of every checkpoint file (state.json without its saved_at time and training
# seconds; TensorBoard event files, which hold wall times, skipped) and of the
# prepared data. Two builds behave the same when their fingerprints are identical:
#
#   launch/behaviour-fingerprint.sh .build/release/trainer > before.txt   # on the old commit
#   launch/behaviour-fingerprint.sh .build/release/trainer > after.txt    # on the new one
#   diff before.txt after.txt && echo identical
#
# The runs go to $FINGERPRINT_DIR (default /tmp/trainer-fingerprint; paths are recorded in
# state.json, so both builds must write to the same place); it is emptied first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
binary=$(realpath "${1:-.build/release/trainer}")
source launch/mpi-env.sh
export OPENBLAS_NUM_THREADS=1
unset TRAINER_FAULT
out=${FINGERPRINT_DIR:-/tmp/trainer-fingerprint}
rm -rf "$out"
mkdir -p "$out"

run() { mpirun -n 2 --bind-to none "$binary" "$@" > "$out/log-$(date +%s%N).txt" 2>&1 || { echo "failed: $*" >&2; exit 1; }; }
tiny=(--set "data.dir=$out/data")
run configs/gpt-tiny.json "${tiny[@]}" --set "checkpoint.dir=$out/pretrain" --set training.max_steps=30 --set eval.every=10
# Pre-training that starts from the first run's weights (training.init_from), with its tokenizer.
run configs/gpt-tiny.json --set "data.dir=$out/data-init" --set "training.init_from=$out/pretrain" --set "checkpoint.dir=$out/continued" \
    --set training.max_steps=10 --set eval.every=5
# The classification run freezes the lowest block, so the frozen-weights path is covered too.
for task in instruct classify; do
  freeze=0; [ $task = classify ] && freeze=1
  run finetune "configs/finetune-$task-tiny.json" --set "finetune.init_from=$out/pretrain" --set "finetune.freeze_layers=$freeze" \
      --set "checkpoint.dir=$out/$task" --set training.max_steps=20 --set eval.every=10 --set checkpoint.every=10
done

# A tiny sweep: every cell an ordinary run, the fit, the held-out check and the charts.
python3 - "$out" <<'EOF'
import json, sys
spec = json.load(open("configs/sweep-tiny.json"))
spec["dir"] = sys.argv[1] + "/sweep"
spec["set"] = spec.get("set", []) + ["data.dir=" + sys.argv[1] + "/data"]
json.dump(spec, open(sys.argv[1] + "/sweep.json", "w"))
EOF
run sweep "$out/sweep.json"

python3 - "$out" <<'EOF'
import hashlib, json, os, sys
root = sys.argv[1]
timing = {"ms", "tokens_per_s", "allreduce_ms"}
runs = ["pretrain", "continued", "instruct", "classify"]
runs += ["sweep/" + d for d in sorted(os.listdir(os.path.join(root, "sweep"))) if os.path.isdir(os.path.join(root, "sweep", d))]
for run in runs:
    with open(os.path.join(root, run, "metrics.jsonl")) as f:
        for i, line in enumerate(f):
            record = {k: v for k, v in json.loads(line).items() if k not in timing}
            print(f"{run}/metrics.jsonl:{i + 1} {json.dumps(record, sort_keys=True)}")
for base, _, files in sorted(os.walk(root)):
    for name in sorted(files):
        path = os.path.join(base, name)
        rel = os.path.relpath(path, root)
        # TensorBoard events carry wall times and a host/pid file name; metrics.jsonl holds the same scalars.
        if rel.startswith("log-") or name in ("metrics.jsonl", "status.json") or "/.watchdog/" in "/" + rel \
                or name.startswith("events.out.tfevents."):
            continue
        data = open(path, "rb").read()
        if name == "state.json":
            state = json.loads(data)
            state.pop("saved_at", None)
            state.pop("training_seconds", None)
            data = json.dumps(state, sort_keys=True).encode()
        if name == "sweep.jsonl":
            records = [{k: v for k, v in json.loads(l).items() if k not in ("tokens_per_s", "wall_s")} for l in data.splitlines()]
            data = json.dumps(records, sort_keys=True).encode()
        print(f"{rel} {hashlib.sha256(data).hexdigest()}")
EOF
