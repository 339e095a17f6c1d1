#!/usr/bin/env bash
# Sets up, builds and trains: launch/train.sh [-n RANKS] CONFIG [trainer options...]
# RANKS defaults to the number of cores; OpenBLAS threads per rank are chosen so that
# ranks × threads fits the cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
ranks=""
if [ "${1:-}" = "-n" ]; then ranks="$2"; shift 2; fi
[ $# -ge 1 ] || { echo "usage: launch/train.sh [-n RANKS] CONFIG [--set section.key=value ...]" >&2; exit 2; }

source launch/setup.sh
swift build -c release --product trainer
[ -x .build/release/trainer ] || { echo "train.sh: build failed; run 'swift build -c release' to see why" >&2; exit 1; }
source launch/mpi-env.sh

cores=$(nproc)
ranks=${ranks:-$cores}
threads=$(( cores / ranks )); (( threads >= 1 )) || threads=1
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
bind=()
(( threads > 1 || ranks > cores )) && bind=(--bind-to none)
echo "train.sh: $ranks rank(s) × $threads OpenBLAS thread(s) on $cores cores"
exec mpirun -n "$ranks" "${bind[@]}" .build/release/trainer "$@"
