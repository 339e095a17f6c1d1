#!/usr/bin/env bash
# Measures trainer against PyTorch side by side on this machine and prints one table:
#   launch/bench-compare.sh [--steps N] [--only small|124m|llama]
# For gpt-small, for gpt2-124m (at a micro-batch that fits a small machine) and for the Llama family
# at gpt-small's shape (llama-small: RMSNorm, rotary, SwiGLU, AdamW), runs `trainer bench`
# and reference/bench_pytorch.py back to back in both layouts: one rank per core with one thread
# each, and one process with a thread per core. PyTorch comes from $PYTHON (default: python3 with
# torch installed; e.g. PYTHON=/work/venv/bin/python). Builds trainer in release mode first.
# Nothing else should run meanwhile: the figures are only as quiet as the machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
steps=3
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    *) echo "usage: launch/bench-compare.sh [--steps N] [--only small|124m|llama]" >&2; exit 2 ;;
  esac
done
python="${PYTHON:-python3}"
"$python" -c "import torch" 2>/dev/null || { echo "bench-compare: $python cannot import torch; set PYTHON to a Python with PyTorch" >&2; exit 1; }

swift build -c release --product trainer >&2
source launch/mpi-env.sh
source launch/openblas-core.sh
cores=$(nproc)
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# name | config | overrides (trainer --set and bench_pytorch.py --set take the same)
runs=()
case "$only" in ""|small|124m|llama) ;; *) echo "bench-compare: --only takes small, 124m or llama" >&2; exit 2 ;; esac
{ [ -z "$only" ] || [ "$only" = small ]; } && runs+=("gpt-small|configs/gpt-small.json|")
# gpt2-124m at one sequence of 1024 tokens per micro-batch and 2 micro-batches per rank-step.
{ [ -z "$only" ] || [ "$only" = 124m ]; } && runs+=("gpt2-124m|configs/gpt2-124m.json|training.micro_batch=1 training.batch_tokens=$((2048 * cores))")
{ [ -z "$only" ] || [ "$only" = llama ]; } && runs+=("llama-small|configs/gpt-small.json|model.family=llama")

for run in "${runs[@]}"; do
  IFS='|' read -r name config overrides <<<"$run"
  sets=()
  for o in $overrides; do sets+=(--set "$o"); done
  # Prepare the data once, outside the timed runs (bench does it too, but not in parallel).
  .build/release/trainer prepare "$config" "${sets[@]}" >&2
  for layout in "$cores×1" "1×$cores"; do
    ranks=${layout%×*}; threads=${layout#*×}
    tag="$name.$ranks"
    echo "bench-compare: $name, $ranks rank(s) × $threads thread(s): trainer" >&2
    if [ "$ranks" -gt 1 ]; then
      OPENBLAS_NUM_THREADS=$threads mpirun -n "$ranks" -x OPENBLAS_NUM_THREADS ${OPENBLAS_CORETYPE:+-x OPENBLAS_CORETYPE} \
        .build/release/trainer bench "$config" "${sets[@]}" --steps "$steps" --json | tail -1 >"$out/$tag.trainer.json"
    else
      OPENBLAS_NUM_THREADS=$threads .build/release/trainer bench "$config" "${sets[@]}" --steps "$steps" --json \
        | tail -1 >"$out/$tag.trainer.json"
    fi
    peak=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["sgemm_gflops_2048_all_ranks"])' "$out/$tag.trainer.json")
    echo "bench-compare: $name, $ranks rank(s) × $threads thread(s): PyTorch" >&2
    if [ "$ranks" -gt 1 ]; then
      OMP_NUM_THREADS=$threads "$python" -m torch.distributed.run --standalone --nproc_per_node "$ranks" \
        reference/bench_pytorch.py "$config" "${sets[@]}" --threads "$threads" --steps "$steps" --sgemm-peak "$peak" --json \
        2>/dev/null | tail -1 >"$out/$tag.pytorch.json"
    else
      "$python" reference/bench_pytorch.py "$config" "${sets[@]}" --threads "$threads" --steps "$steps" --sgemm-peak "$peak" --json \
        | tail -1 >"$out/$tag.pytorch.json"
    fi
  done
done

"$python" reference/compare_table.py "$out"
