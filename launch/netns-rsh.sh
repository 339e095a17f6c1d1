#!/bin/sh
# An rsh/ssh stand-in for Open MPI that "logs in" to a host by entering a Linux network namespace,
# so that several network namespaces on one machine can play the part of several machines
# (Tests/TrainerTests/MultiHostTests.swift uses it). Use it as
#
#   NETNS_RSH_MAP="10.213.7.1=ns-a 10.213.7.2=ns-b" \
#     mpirun --mca plm_rsh_agent "$PWD/launch/netns-rsh.sh" -x NETNS_RSH_MAP --hostfile ... ...
#
# NETNS_RSH_MAP lists HOST=NAMESPACE pairs separated by spaces or commas; HOST is the name or
# address exactly as written in the hostfile, NAMESPACE a name from `ip netns list`. Runs as root
# (ip netns exec needs CAP_SYS_ADMIN). The namespaces share the filesystem, so the remote daemon
# (orted) and the trainer binary are found at the same paths as on the launching "host".
#
# Open MPI calls the agent as `AGENT [ssh-style options] HOST COMMAND WORDS...`: the options (such
# as -x) are skipped, and the command words are joined with spaces and handed to `sh -c`, as sshd
# would hand them to the remote login shell.
set -eu
while [ $# -gt 0 ]; do
  case "$1" in
    -l|-p|-o|-i|-F) shift 2 ;;   # ssh options that take a value (-l user, -p port, ...)
    -*) shift ;;                 # -x, -T, -q, ...
    *) break ;;
  esac
done
[ $# -ge 2 ] || { echo "netns-rsh.sh: usage: netns-rsh.sh [options] HOST COMMAND..." >&2; exit 2; }
host="$1"; shift
ns=""
for pair in $(printf '%s' "${NETNS_RSH_MAP:-}" | tr ',' ' '); do
  if [ "${pair%%=*}" = "$host" ]; then ns="${pair#*=}"; break; fi
done
[ -n "$ns" ] || { echo "netns-rsh.sh: host '$host' is not in NETNS_RSH_MAP ('${NETNS_RSH_MAP:-}')" >&2; exit 255; }
exec /usr/sbin/ip netns exec "$ns" /bin/sh -c "$*"
