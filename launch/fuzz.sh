#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers of outside input, with libFuzzer and AddressSanitizer:
#
#   launch/fuzz.sh TARGET SECONDS [libFuzzer options...]     TARGET: safetensors, shard, config,
#   launch/fuzz.sh all SECONDS                                tokenizer, state, finetune (all: each)
#
# Builds Tests/Fuzz (a separate package; the normal `swift build` never sees it) into .build-fuzz in
# debug mode, so Swift's overflow and bounds checks trap as well as ASan's memory checks, and runs
# the target for SECONDS from the seeds in Tests/Fuzz/Corpus/TARGET plus the corpus that earlier runs
# grew in .build-fuzz/corpus/TARGET. A crashing input lands in .build-fuzz/crashes/TARGET/: fix the
# parser, then copy the input to Tests/Fuzz/Regressions/TARGET/, which the test suite replays
# (Tests/TrainingTests/FuzzTests.swift). FUZZ_CONFIGURATION=release fuzzes the -Ounchecked build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
all="safetensors shard config tokenizer state finetune"
if [[ $# -lt 2 || ! "$2" =~ ^[0-9]+$ ]] || [[ "$1" != all && " $all " != *" $1 "* ]]; then
    echo "usage: launch/fuzz.sh TARGET|all SECONDS [libFuzzer options...]   (targets: $all)" >&2
    exit 2
fi
targets=$1 seconds=$2
shift 2
[[ "$targets" == all ]] && targets=$all
configuration=${FUZZ_CONFIGURATION:-debug}
scratch=.build-fuzz

source launch/setup.sh
swift build --package-path Tests/Fuzz --scratch-path "$scratch" -c "$configuration" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 | grep -E "error|warning: var|Compiling|Build" || true
binary=$scratch/$configuration/trainer-fuzz
[[ -x "$binary" ]] || { echo "fuzz.sh: the build did not produce $binary" >&2; exit 1; }

status=0
for target in $targets; do
    corpus=.build-fuzz/corpus/$target crashes=.build-fuzz/crashes/$target log=.build-fuzz/$target.log
    mkdir -p "$corpus" "$crashes" "Tests/Fuzz/Corpus/$target"
    echo "== $target: ${seconds} s (log $log)"
    # -timeout: an input that takes over 10 s is a hang; -rss_limit_mb: one over 2 GiB is a leak or a bomb.
    if ! TRAINER_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0 "$binary" "$corpus" "Tests/Fuzz/Corpus/$target" \
        -dict=Tests/Fuzz/fuzz.dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$crashes/" -print_final_stats=1 "$@" >"$log" 2>&1; then
        status=1
        echo "   CRASH: see $log and $crashes/"
        grep -E "ERROR|Fatal error|SUMMARY|Test unit written" "$log" | head -5 | sed 's/^/   /'
    fi
    # libFuzzer's last status line and final statistics: executions, speed, coverage, corpus.
    grep -E "^#[0-9]+.*(DONE|pulse|NEW|REDUCE)" "$log" | tail -1 | sed 's/^/   /'
    grep -E "stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$log" | sed 's/^/   /'
done
exit $status
