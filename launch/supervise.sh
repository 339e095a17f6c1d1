#!/usr/bin/env bash
# Keeps a training job going on machines that fail or get preempted: runs COMMAND, and when it
# fails, runs it again with --resume (continuing from the newest valid checkpoint), up to
# --max-restarts times. A configuration error (exit status 2) is not retried.
#
#   launch/supervise.sh [--max-restarts N] [--delay SECONDS] -- COMMAND...
#   launch/supervise.sh --max-restarts 5 -- launch/train.sh -n 2 configs/gpt-small.json
set -uo pipefail
max_restarts=3
delay=10
while [ $# -gt 0 ]; do
  case "$1" in
    --max-restarts) max_restarts="$2"; shift 2 ;;
    --delay) delay="$2"; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { echo "usage: launch/supervise.sh [--max-restarts N] [--delay SECONDS] -- COMMAND..." >&2; exit 2; }

command=("$@")
attempt=0
while true; do
  echo "supervise.sh: attempt $((attempt + 1)): ${command[*]}" >&2
  "${command[@]}"
  status=$?
  if [ "$status" -eq 0 ]; then echo "supervise.sh: the job finished" >&2; exit 0; fi
  if [ "$status" -eq 2 ]; then echo "supervise.sh: configuration error (status 2); not retrying" >&2; exit 2; fi
  if [ "$attempt" -ge "$max_restarts" ]; then
    echo "supervise.sh: the job failed with status $status after $max_restarts restart(s); giving up" >&2
    exit "$status"
  fi
  attempt=$((attempt + 1))
  echo "supervise.sh: the job failed with status $status; restarting with --resume in $delay s ($attempt/$max_restarts)" >&2
  sleep "$delay"
  case " ${command[*]} " in *" --resume "*) ;; *) command+=(--resume) ;; esac
done
