#!/usr/bin/env bash
# Sets up and runs the whole test suite (release build; multi-process tests spawn mpirun), then
# names every test that was skipped and why (a skipped test is never counted as passed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source launch/setup.sh
source launch/mpi-env.sh
export OPENBLAS_NUM_THREADS=1
swift build -c release --build-tests
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
swift test -c release --skip-build "$@" 2>&1 | tee "$log" || status=$?
# Swift Testing prints "Test NAME skipped: REASON"; XCTest prints "Test Case 'NAME' skipped".
skipped=$(sed -E 's/\x1b\[[0-9;]*m//g' "$log" | grep -aE "Test (Case )?.+ skipped(:| |$)" | sed -E 's/^[^A-Za-z]*Test (Case )?/  /' | sort -u || true)
echo
if [[ -n "$skipped" ]]; then
    echo "Skipped tests ($(wc -l <<<"$skipped")):"
    echo "$skipped"
else
    echo "Skipped tests: none"
fi
exit "$status"
