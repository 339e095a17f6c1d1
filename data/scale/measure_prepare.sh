#!/usr/bin/env bash
# Measures `trainer prepare` (gpt-small's tokenizer, vocab 8192) on corpora of several sizes made by
# make_corpus.py: wall time at -n 1 and -n 2 with the tokenizer already trained, the CPU time and peak
# resident memory of each rank, and the tokenizer's training time on its bounded sample.
# Usage: data/scale/measure_prepare.sh [SIZE_MB ...]   (default: 120 500 2000)
# FORMAT=text measures one big text file instead of a folder of works; FRESH=0 skips the run that
# trains the tokenizer. Writes everything under $WORK (default /tmp/trainer-scale); prints one table
# row per run: size, ranks, tokenizer seeded or trained, wall time, throughput, each rank's CPU time
# and peak resident memory, the tokenizer's training time, and the load average before the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source launch/mpi-env.sh
export OPENBLAS_NUM_THREADS=1
work=${WORK:-/tmp/trainer-scale}
trainer=.build/release/trainer
sizes=("$@")
format=${FORMAT:-folder}
[ ${#sizes[@]} -eq 0 ] && sizes=(120 500 2000)
mkdir -p "$work"
# The tokenizer the timed runs load, trained once on the bundled corpus.
[ -f "$work/tokenizer/vocab.json" ] || $trainer prepare configs/gpt-small.json --set data.dir="$work/tokenizer" >/dev/null

run() {  # run SIZE RANKS WITH_TOKENIZER
  local size=$1 ranks=$2 seeded=$3 corpus=/tmp/trainer-corpora/$format-$1MB
  local dir=$work/data-$format-$size-n$ranks-$seeded
  rm -rf "$dir" && mkdir -p "$dir"
  [ "$seeded" = seeded ] && cp "$work/tokenizer/vocab.json" "$work/tokenizer/merges.txt" "$dir/"
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  local start; start=$(date +%s.%N)
  mpirun -n "$ranks" bash -c '/usr/bin/time -o "$0.rank-$OMPI_COMM_WORLD_RANK" -f "%U %S %M" "$@"' "$dir" \
    $trainer prepare configs/gpt-small.json --set data.corpus="$corpus" --set data.dir="$dir" > "$dir.log" 2>&1 || true
  local wall; wall=$(echo "$(date +%s.%N) - $start" | bc)
  local bytes; bytes=$(du -sb "$corpus" | cut -f1)
  local ranksinfo; ranksinfo=$(for f in "$dir".rank-*; do awk '{printf "%.1f s CPU, %.0f MB; ", $1+$2, $3/1024}' "$f"; done)
  local tok; tok=$(grep -o "trained the tokenizer in [0-9.]* s" "$dir.log" | grep -o "[0-9.]* s" || echo "-")
  printf "| %s MB | %d | %s | %.1f s | %.1f MB/s | %s| tokenizer %s | load %s |\n" \
    "$((bytes / 1000000))" "$ranks" "$seeded" "$wall" "$(echo "$bytes / $wall / 1000000" | bc -l)" "$ranksinfo" "$tok" "$load"
}

for size in "${sizes[@]}"; do
  [ -d /tmp/trainer-corpora/$format-${size}MB ] || python3 data/scale/make_corpus.py "$size" --format "$format" >/dev/null
  run "$size" 1 seeded
  run "$size" 2 seeded
  [ "${FRESH:-1}" = 1 ] && run "$size" 2 fresh
  same=yes
  for f in "$work/data-$format-$size-n1-seeded"/*.bin; do cmp -s "$f" "$work/data-$format-$size-n2-seeded/$(basename "$f")" || same=no; done
  echo "  shards identical at -n 1 and -n 2: $same"
  rm -rf "$work"/data-"$format"-"$size"-*/*.bin
done
