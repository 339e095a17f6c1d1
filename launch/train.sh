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
source launch/openblas-core.sh

cores=$(nproc)
ranks=${ranks:-$cores}
threads=$(( cores / ranks )); (( threads >= 1 )) || threads=1
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
export_core=()
[ -n "${OPENBLAS_CORETYPE:-}" ] && export_core=(-x OPENBLAS_CORETYPE)
bind=()
(( threads > 1 || ranks > cores )) && bind=(--bind-to none)
echo "train.sh: $ranks rank(s) × $threads OpenBLAS thread(s) on $cores cores"
# mpirun runs in its own session so that Ctrl-C or SIGTERM reaches only this script, which passes
# it to the ranks: they finish the step, save and exit 0. (Signalled itself, mpirun would report
# failure even though the ranks stopped cleanly.)
setsid mpirun -n "$ranks" "${bind[@]}" "${export_core[@]}" -x OPENBLAS_NUM_THREADS .build/release/trainer "$@" &
pid=$!
trap 'pkill -TERM -P "$pid" 2>/dev/null || true' INT TERM
status=0
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid" && status=0 || status=$?
done
exit "$status"
