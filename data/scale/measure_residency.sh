#!/usr/bin/env bash
# Shows that a rank's resident memory stays flat while it trains over shards much larger than what
# it keeps: gpt-tiny trains STEPS steps of 16 random windows each over COPIES copies of a prepared
# train shard, laid out as llm.c names them, with no prepared.json.
# Usage: data/scale/measure_residency.sh PREPARED_DIR [COPIES] [STEPS]
#   PREPARED_DIR: a gpt-tiny data directory (vocab 512: vocab.json, merges.txt, train_000000.bin,
#   val_000000.bin), e.g. `trainer prepare configs/gpt-tiny.json --set data.corpus=/tmp/trainer-corpora/folder-120MB --set data.dir=DIR`.
# Prints the process's resident memory (VmRSS, of which file-backed RssFile) every 10 s, and how
# much of the shards the page cache (the kernel's, not the process's) holds at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source launch/mpi-env.sh
export OPENBLAS_NUM_THREADS=1
source_dir=$1 copies=${2:-16} steps=${3:-20000}
work=${WORK:-/tmp/trainer-scale}/residency
rm -rf "$work" && mkdir -p "$work/data"
cp "$source_dir/vocab.json" "$source_dir/merges.txt" "$work/data/"
cp "$source_dir/val_000000.bin" "$work/data/big_val_000000.bin"
for i in $(seq 1 "$copies"); do cp "$source_dir/train_000000.bin" "$work/data/big_train_$(printf %06d "$i").bin"; done
echo "shards: $(du -sh "$work/data" | cut -f1) in $copies training shards"
.build/release/trainer configs/gpt-tiny.json --set data.corpus= --set data.dir="$work/data" --set training.max_steps="$steps" \
  --set training.log_every=1000 --set eval.every=0 --set checkpoint.every=0 --set checkpoint.dir="$work/run" > "$work/train.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
start=$(date +%s)
while kill -0 $pid 2>/dev/null; do
  step=$(grep -o "^step *[0-9]*" "$work/train.log" | tail -1 | grep -o "[0-9]*" || echo 0)
  awk -v t=$(( $(date +%s) - start )) -v s="${step:-0}" '/VmRSS|RssFile|RssAnon/ {v[$1]=$2} END {if (v["VmRSS:"]) printf "t=%4d s  step %6s  VmRSS %7.1f MB  RssFile %6.1f MB  RssAnon %6.1f MB\n", t, s, v["VmRSS:"]/1024, v["RssFile:"]/1024, v["RssAnon:"]/1024}' /proc/$pid/status 2>/dev/null || true
  sleep 10
done
wait $pid || { tail -5 "$work/train.log"; exit 1; }
tail -2 "$work/train.log"
echo "page cache holding the shards at the end (kernel memory, reclaimable):"
fincore "$work"/data/big_train_*.bin | awk 'NR > 1 {res += $1 == "" ? 0 : 1} {print}' | tail -4
