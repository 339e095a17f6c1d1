#!/usr/bin/env bash
# Measures the gradient all-reduce and a training step over an emulated network: 2-4 network
# namespaces ("hosts") joined by a Linux bridge, each link shaped with tc tbf to 1, 10 or 25 Gbit/s
# (and delayed with netem where the kernel has it), mpirun reaching the hosts through
# launch/netns-rsh.sh over Open MPI's TCP transport only. Writes one JSON line per run and prints
# the table `trainer bench --fit` makes of them (measurements beside the fitted alpha-beta model).
#
#   launch/netem-bench.sh [--hosts N] [--ranks-per-host K] [--rates "0 25 10 1"] [--delays-us "0 50 500"]
#                         [--configs "gpt-tiny gpt-small"] [--steps N] [--reps N] [--no-step] [--no-han]
#                         [--out FILE]
#
# Rate 0 is the bare veth (no tbf): what the kernel's veth and TCP reach on this machine.
# Needs root (ip netns, tc); it says why and exits 3 when it cannot set up the hosts. Everything
# it creates (namespaces, bridge, veths) is removed on exit, failure and Ctrl-C included.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

hosts=2 per_host=1 rates="0 25 10 1" delays="0 50 500" configs="gpt-tiny gpt-small" steps=3 reps=5
do_step=1 do_han=1 out=""
usage="usage: launch/netem-bench.sh [--hosts N] [--ranks-per-host K] [--rates LIST] [--delays-us LIST] [--configs LIST] [--steps N] [--reps N] [--no-step] [--no-han] [--out FILE]"
while [ $# -gt 0 ]; do
  case "$1" in
    --hosts) hosts="$2"; shift 2 ;;
    --ranks-per-host) per_host="$2"; shift 2 ;;
    --rates) rates="$2"; shift 2 ;;
    --delays-us) delays="$2"; shift 2 ;;
    --configs) configs="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --no-step) do_step=0; shift ;;
    --no-han) do_han=0; shift ;;
    --out) out="$2"; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
[[ "$hosts" =~ ^[2-9]$ ]] || { echo "netem-bench: --hosts must be 2 to 9 (got '$hosts')" >&2; exit 2; }
trainer="${TRAINER:-$root/.build/release/trainer}"  # TRAINER: another build of it
[ -x "$trainer" ] || { echo "netem-bench: $trainer not found; run swift build -c release first" >&2; exit 2; }
skip() { echo "netem-bench: skipped: $*" >&2; exit 3; }
[ "$(id -u)" -eq 0 ] || skip "needs root for ip netns and tc (running as uid $(id -u))"
command -v ip >/dev/null || skip "ip (iproute2) not found"
command -v tc >/dev/null || skip "tc (iproute2) not found"
source launch/mpi-env.sh
export OPENBLAS_NUM_THREADS=1

tag="nb$(( $$ % 100000 ))"
octet=$(( $$ % 200 + 20 ))
subnet="10.214.$octet.0/24"
work="$(mktemp -d)"
[ -n "$out" ] || out="${TMPDIR:-/tmp}/netem-bench-$$.jsonl"
: >"$out"
cleanup() {
  for i in $(seq 0 $((hosts - 1))); do ip netns delete "$tag-h$i" 2>/dev/null || true; done
  ip netns delete "$tag-sw" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The "switch": a bridge in its own namespace; host i has 10.214.OCTET.(i+1) on its veth.
ip netns add "$tag-sw" || skip "cannot create a network namespace (ip netns add failed)"
ip -n "$tag-sw" link add br0 type bridge || skip "cannot create a bridge in a namespace"
ip -n "$tag-sw" link set br0 up
map="" hostfile="$work/hostfile"
: >"$hostfile"
for i in $(seq 0 $((hosts - 1))); do
  ns="$tag-h$i" addr="10.214.$octet.$((i + 1))"
  ip netns add "$ns"
  ip link add "${tag}h$i" netns "$ns" type veth peer name "${tag}s$i" netns "$tag-sw" || skip "cannot create a veth pair"
  ip -n "$tag-sw" link set "${tag}s$i" master br0 up
  ip -n "$ns" addr add "$addr/24" dev "${tag}h$i"
  ip -n "$ns" link set lo up
  ip -n "$ns" link set "${tag}h$i" up
  map="$map $addr=$ns"
  echo "$addr slots=$per_host" >>"$hostfile"
done
export NETNS_RSH_MAP="${map# }"
ranks=$((hosts * per_host))

# netem is a kernel module (sch_netem) that not every kernel has: try it once, say why not.
netem=1
if ! why=$(ip netns exec "$tag-h0" tc qdisc add dev "${tag}h0" root netem delay 50us 2>&1); then
  netem=0
  echo "netem-bench: netem delays skipped: 'tc qdisc add ... netem delay 50us' says: $why (the kernel lacks sch_netem); latency is the link's own" >&2
  delays="0"
else
  ip netns exec "$tag-h0" tc qdisc del dev "${tag}h0" root
fi

# Shapes every link in both directions (host egress and switch egress): rate Gbit/s, delay µs.
shape() {
  local rate="$1" delay="$2" i dev ns
  for i in $(seq 0 $((hosts - 1))); do
    for side in "h:$tag-h$i" "s:$tag-sw"; do
      dev="${tag}${side%%:*}$i" ns="${side#*:}"
      ip netns exec "$ns" tc qdisc del dev "$dev" root 2>/dev/null || true
      if [ "$rate" != 0 ]; then
        # Burst: two 64 KiB GSO frames (veth hands tbf whole GSO frames), no more: a larger bucket
        # lets messages of that size through at veth speed (1 ms of 10 Gbit/s passed 1 MiB at 17 Gbit/s).
        ip netns exec "$ns" tc qdisc add dev "$dev" root handle 1: tbf rate "${rate}gbit" burst 131072 latency 100ms
        if [ "$delay" != 0 ]; then ip netns exec "$ns" tc qdisc add dev "$dev" parent 1:1 handle 10: netem delay "${delay}us"; fi
      elif [ "$delay" != 0 ]; then
        ip netns exec "$ns" tc qdisc add dev "$dev" root netem delay "${delay}us"
      fi
    done
  done
}

# mpirun in host 0, one (or K) ranks per host, TCP on the bridge's subnet only; extra MCA flags first.
mpi() {
  local extra=("$@")
  ip netns exec "$tag-h0" mpirun -n "$ranks" --hostfile "$hostfile" --mca plm_rsh_agent "$root/launch/netns-rsh.sh" \
    --mca pml ob1 --mca btl tcp,self --mca btl_tcp_if_include "$subnet" --mca oob_tcp_if_include "$subnet" \
    --oversubscribe --bind-to none -x OPENBLAS_NUM_THREADS -x NETNS_RSH_MAP "${extra[@]}"
}

# One JSON line: the run's settings and trainer's own JSON object.
record() {
  local kind="$1" config="$2" rate="$3" delay="$4" coll="$5" overlap="$6" json="$7"
  printf '{"kind":"%s","config":"%s","hosts":%d,"ranks":%d,"rate_gbit":%s,"delay_us":%s,"coll":"%s","overlap":%s,"bench":%s}\n' \
    "$kind" "$config" "$hosts" "$ranks" "$rate" "$delay" "$coll" "$overlap" "$json" >>"$out"
}

# The bench's last stdout line is its JSON object; stderr goes to the log shown on failure.
bench() {
  local log="$work/last.log"
  if ! mpi "$@" >"$work/last.out" 2>"$log"; then
    echo "netem-bench: run failed: $*" >&2; tail -20 "$log" >&2; tail -5 "$work/last.out" >&2; return 1
  fi
  tail -1 "$work/last.out"
}

for config in $configs; do
  cfg="configs/$config.json"
  # Prepared once, outside the namespaces (they share the filesystem), so no run pays for it.
  "$trainer" prepare "$cfg" >"$work/prepare.log" 2>&1 || { cat "$work/prepare.log" >&2; exit 1; }
done
sizes="8,4096,65536,1048576,8388608"
# One measurement: the bench's JSON, or the harness stops (the trap still cleans up).
measure() {
  local kind="$1" config="$2" coll="$3" overlap="$4"; shift 4
  local json
  json="$(bench "$@")" || exit 1
  record "$kind" "$config" "$rate" "$delay" "$coll" "$overlap" "$json"
}
for rate in $rates; do
  for delay in $delays; do
    shape "$rate" "$delay"
    echo "netem-bench: link ${rate} Gbit/s (0 = bare veth), delay ${delay} µs, $hosts hosts × $per_host ranks" >&2
    first=1
    for config in $configs; do
      cfg="configs/$config.json"
      sweep=()
      if [ "$first" = 1 ]; then sweep=(--sizes "$sizes"); first=0; fi
      measure allreduce "$config" tuned null "$trainer" bench "$cfg" --allreduce --json --repetitions "$reps" "${sweep[@]}"
      # libnbc's in-place MPI_Iallreduce (GradientSync's overlap) is binomial by default; 3 forces Rabenseifner.
      measure allreduce "$config" nbc-3 null --mca coll_libnbc_iallreduce_algorithm 3 "$trainer" bench "$cfg" --allreduce --json --repetitions "$reps"
      if [ "$do_han" = 1 ]; then
        measure allreduce "$config" han null --mca coll_han_priority 100 "$trainer" bench "$cfg" --allreduce --json --repetitions "$reps"
      fi
      if [ "$do_step" = 1 ]; then
        for overlap in true false; do
          measure step "$config" tuned "$overlap" "$trainer" bench "$cfg" --steps "$steps" --json --set "distributed.overlap=$overlap"
        done
        measure step "$config" nbc-3 true --mca coll_libnbc_iallreduce_algorithm 3 "$trainer" bench "$cfg" --steps "$steps" --json --set distributed.overlap=true
      fi
    done
  done
done
shape 0 0
[ "$netem" = 1 ] || echo "netem-bench: (no netem on this kernel: every delay above is the bare link's)" >&2
"$trainer" bench "configs/$(set -- $configs; echo "$1").json" --fit "$out"
echo "netem-bench: results (one JSON line per run) in $out" >&2
