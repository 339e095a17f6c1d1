#!/usr/bin/env bash
# Keeps a training job going on machines that fail or get preempted.
#
# Command mode: runs COMMAND, and when it fails, runs it again with --resume (continuing from the
# newest valid checkpoint), up to --max-restarts times.
#
#   launch/supervise.sh [--max-restarts N] [--delay SECONDS] -- COMMAND...
#   launch/supervise.sh --max-restarts 5 -- launch/train.sh -n 2 configs/gpt-small.json
#
# Elastic mode (--hostfile): starts the trainer itself, with mpirun, on the hosts of HOSTFILE
# that answer (AGENT HOST true, as mpirun will reach them), with the most ranks their slots hold
# that split the batch into whole micro-batches (`trainer layouts`). When the job fails (a rank or
# its host died), it starts again from the newest checkpoint on the hosts that still answer. While
# a host is missing it asks every --probe-every seconds whether the host is back; when it is, the
# job is stopped cleanly (SIGUSR1 to mpirun: every rank finishes its step, rank 0 saves) and
# started again on all of them. The global batch never changes, so with distributed.exact the
# final weights are the bits of a run that never failed (docs/ARCHITECTURE.md, "Elastic runs").
#
#   launch/supervise.sh --hostfile HOSTFILE [--rsh-agent AGENT] [--probe-every SECONDS]
#       [--mca KEY VALUE]... [--max-restarts N] [--delay SECONDS] -- [finetune] CONFIG [--set k=v]...
#
# HOSTFILE has Open MPI's form (`host slots=N` per line). AGENT defaults to ssh in batch mode; the
# trainer is $TRAINER (default .build/release/trainer) and mpirun $MPIRUN (default mpirun). In
# both modes a configuration error (exit status 2) is not retried.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
max_restarts=3
delay=10
hostfile=""
agent="ssh -o BatchMode=yes -o ConnectTimeout=5"
probe_every=30
mca=()
while [ $# -gt 0 ]; do
  case "$1" in
    --max-restarts) max_restarts="$2"; shift 2 ;;
    --delay) delay="$2"; shift 2 ;;
    --hostfile) hostfile="$2"; shift 2 ;;
    --rsh-agent) agent="$2"; shift 2 ;;
    --probe-every) probe_every="$2"; shift 2 ;;
    --mca) mca+=(--mca "$2" "$3"); shift 3 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
usage="usage: launch/supervise.sh [--max-restarts N] [--delay SECONDS] -- COMMAND...
       launch/supervise.sh --hostfile HOSTFILE [--rsh-agent AGENT] [--probe-every SECONDS] [--mca KEY VALUE]... -- [finetune] CONFIG [--set k=v]..."
[ $# -ge 1 ] || { echo "$usage" >&2; exit 2; }
say() { echo "supervise.sh: $*" >&2; }

# Gives up after too many failures, else waits before the next attempt. WHAT says what failed
# (default: the job, with its status).
after_failure() {
  local status=$1 what=${2:-"the job failed with status $1"}
  if [ "$status" -eq 2 ]; then say "configuration error (status 2); not retrying"; exit 2; fi
  if [ "$attempt" -ge "$max_restarts" ]; then
    say "$what after $max_restarts restart(s); giving up"
    exit "$status"
  fi
  attempt=$((attempt + 1))
  say "$what; restarting with --resume in $delay s ($attempt/$max_restarts)"
  sleep "$delay"
}

if [ -z "$hostfile" ]; then
  command=("$@")
  attempt=0
  while true; do
    say "attempt $((attempt + 1)): ${command[*]}"
    "${command[@]}"
    status=$?
    if [ "$status" -eq 0 ]; then say "the job finished"; exit 0; fi
    after_failure "$status"
    case " ${command[*]} " in *" --resume "*) ;; *) command+=(--resume) ;; esac
  done
fi

source "$root/launch/elastic-hosts.sh"
[ -r "$hostfile" ] || { say "--hostfile $hostfile: cannot read it; give a file of 'host slots=N' lines"; exit 2; }
trainer="${TRAINER:-$root/.build/release/trainer}"
args=("$@")
layout_args=("$@")
if [ "${args[0]}" = "finetune" ]; then layout_args=(--finetune "${args[@]:1}"); fi
counts=$("$trainer" layouts "${layout_args[@]}") || { say "trainer layouts ${layout_args[*]} failed; fix the config"; exit 2; }
read_hostfile "$hostfile" || exit 2
say "hosts: ${all_hosts[*]} (slots ${all_slots[*]}); rank counts that split the batch: $counts"

attempt=0
start=0
resume=()
job=""
stopping=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Ctrl-C or SIGTERM to the supervisor stops the job cleanly (it runs in its own session) and ends here.
trap 'stopping=1; [ -n "$job" ] && kill -USR1 "$job" 2>/dev/null; say "stopping the job cleanly"' INT TERM
while true; do
  probe_hosts
  ranks=$(largest_count "$counts" "$up_slots")
  if [ "$ranks" -eq 0 ]; then
    after_failure 1 "no host answers with enough slots (answering: ${up_hosts[*]:-none})"
    continue
  fi
  write_hostfile "$work/hosts"
  start=$((start + 1))
  say "start $start: $ranks rank(s) on ${up_hosts[*]}${missing_hosts:+ (not answering: $missing_hosts)}"
  setsid "${MPIRUN:-mpirun}" -n "$ranks" --hostfile "$work/hosts" --mca plm_rsh_agent "$agent" "${mca[@]}" \
    --bind-to none "$trainer" "${args[@]}" "${resume[@]}" &
  job=$!
  grown=0
  last_probe=$SECONDS
  while kill -0 "$job" 2>/dev/null; do
    sleep 1
    if [ -n "$missing_hosts" ] && [ "$grown" -eq 0 ] && [ "$stopping" -eq 0 ] && [ $((SECONDS - last_probe)) -ge "$probe_every" ]; then
      last_probe=$SECONDS
      if returned=$(first_answering $missing_hosts); then
        say "$returned answers again; stopping the job cleanly to restart it on every host that answers"
        kill -USR1 "$job" 2>/dev/null
        grown=1
      fi
    fi
  done
  wait "$job"
  status=$?
  job=""
  resume=(--resume)
  if [ "$stopping" -eq 1 ]; then say "stopped (status $status)"; exit "$status"; fi
  if [ "$status" -eq 0 ] && [ "$grown" -eq 0 ]; then say "the job finished"; exit 0; fi
  if [ "$status" -eq 0 ]; then continue; fi
  after_failure "$status"
done
