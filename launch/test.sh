#!/usr/bin/env bash
# Sets up and runs the whole test suite (release build; multi-process tests spawn mpirun).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source launch/setup.sh
source launch/mpi-env.sh
export OPENBLAS_NUM_THREADS=1
swift build -c release --build-tests
swift test -c release --skip-build "$@"
