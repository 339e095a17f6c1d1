#!/usr/bin/env bash
# Chooses OpenBLAS's kernels; sourced by train.sh (and usable by hand before mpirun).
# Some environments force OPENBLAS_CORETYPE=Haswell, which halves sgemm on AVX-512 CPUs. When the
# variable is set to something other than the best core this CPU supports, use the best one and say
# so; TRAINER_KEEP_CORETYPE=1 keeps the forced value (for OpenBLAS builds known to misbehave).
# `trainer bench` checks sgemm against a naive product under the chosen core.
openblas_best_core() {
  local flags
  flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
  if [[ $flags == *" avx512f "* && $flags == *" avx512bw "* && $flags == *" avx512vl "* ]]; then
    if [[ $flags == *" avx512_bf16 "* ]]; then echo Cooperlake; else echo SkylakeX; fi
  elif [[ $flags == *" avx2 "* ]]; then
    echo Haswell
  fi
}
best_core="$(openblas_best_core)"
if [ -n "${OPENBLAS_CORETYPE:-}" ] && [ "${TRAINER_KEEP_CORETYPE:-}" != 1 ] && [ -n "$best_core" ] \
   && [ "${OPENBLAS_CORETYPE,,}" != "${best_core,,}" ]; then
  echo "openblas: OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE was forced; using $best_core, the best this CPU supports (TRAINER_KEEP_CORETYPE=1 keeps it)" >&2
  export OPENBLAS_CORETYPE="$best_core"
elif [ -n "${OPENBLAS_CORETYPE:-}" ]; then
  echo "openblas: using OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE" >&2
else
  echo "openblas: core type detected by OpenBLAS (best for this CPU: ${best_core:-unknown})" >&2
fi
