# The host bookkeeping of launch/supervise.sh --hostfile (sourced; uses its $agent and say).

# all_hosts / all_slots: the hostfile's hosts and slot counts, in its order.
read_hostfile() {
  all_hosts=(); all_slots=()
  local line host slots
  while read -r line || [ -n "$line" ]; do
    line="${line%%#*}"
    read -r host rest <<<"$line"
    [ -n "${host:-}" ] || continue
    slots=1
    if [[ " $rest " =~ [[:space:]]slots=([0-9]+)[[:space:]] ]]; then slots="${BASH_REMATCH[1]}"; fi
    all_hosts+=("$host"); all_slots+=("$slots")
  done <"$1"
  [ ${#all_hosts[@]} -gt 0 ] || { say "$1 names no host; write one 'host slots=N' line per machine"; return 1; }
}

# Whether HOST runs a command through the agent within 10 seconds.
answers() { timeout 10 $agent "$1" true </dev/null >/dev/null 2>&1; }

# up_hosts / up_slots (their sum) / missing_hosts: the hosts that answer now, and those that do not.
probe_hosts() {
  up_hosts=(); up_host_slots=(); up_slots=0; missing_hosts=""
  local i
  for i in "${!all_hosts[@]}"; do
    if answers "${all_hosts[$i]}"; then
      up_hosts+=("${all_hosts[$i]}"); up_host_slots+=("${all_slots[$i]}"); up_slots=$((up_slots + all_slots[i]))
    else
      missing_hosts="${missing_hosts:+$missing_hosts }${all_hosts[$i]}"
    fi
  done
}

# The largest of COUNTS (a line of rank counts) that is at most SLOTS, or 0.
largest_count() {
  local best=0 n
  for n in $1; do [ "$n" -le "$2" ] && best=$n; done
  echo "$best"
}

# Writes the answering hosts with their slots as an Open MPI hostfile.
write_hostfile() {
  local i
  : >"$1"
  for i in "${!up_hosts[@]}"; do echo "${up_hosts[$i]} slots=${up_host_slots[$i]}" >>"$1"; done
}

# Prints the first of HOSTS that answers; fails when none does.
first_answering() {
  local host
  for host in "$@"; do if answers "$host"; then echo "$host"; return 0; fi; done
  return 1
}
