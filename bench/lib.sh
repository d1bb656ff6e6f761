# Helpers shared by bench/soak.sh and bench/connections.sh (sourced, not run). The caller sets
# `script_name` and `tmp` (a fresh temporary directory) first, and calls `trap cleanup EXIT INT TERM`.
# Every process started here is recorded in started_pids and stopped by its PID (never by name).

started_pids=()
taken_ports=" "
node_cmd=
declare -A node_port node_peer_port node_pid

log() { printf '[%s] %s\n' "$script_name" "$*" >&2; }
die() { printf '%s: %s\n' "$script_name" "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

forget_pid() { # a stopped process leaves the list, so cleanup never signals a reused PID
  local kept=() p
  for p in "${started_pids[@]+"${started_pids[@]}"}"; do
    [[ $p == "$1" ]] || kept+=("$p")
  done
  started_pids=(${kept[@]+"${kept[@]}"})
}

stop_pids() { # wait_seconds pid... : SIGTERM, then SIGKILL after wait_seconds
  local wait_s=$1 pid i alive
  shift
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = 0; i < wait_s * 10; i++)); do
    alive=0
    for pid in "$@"; do
      if kill -0 "$pid" 2>/dev/null; then alive=1; break; fi
    done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "$@"; do
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    forget_pid "$pid"
  done
}

cleanup() {
  trap - EXIT INT TERM
  if ((${#started_pids[@]} > 0)); then
    stop_pids 30 "${started_pids[@]}"
  fi
  if [[ -n ${tmp:-} && -d $tmp ]]; then
    if [[ ${BENCH_KEEP_TMP:-} == 1 ]]; then log "kept $tmp"; else rm -rf -- "$tmp"; fi
  fi
}

# Below the ephemeral range (32768+ here): a port a client used lately (TIME_WAIT, e.g. after
# connections.sh's 10,000) answers no connect yet cannot be bound.
free_port() { # a loopback port free now, also not handed out before by this script
  local i p
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    [[ $taken_ports == *" $p "* ]] && continue
    [[ -z $(ss -Htan "( sport = :$p )" 2>/dev/null) ]] || continue
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    taken_ports+="$p "
    echo "$p"
    return
  done
  die "found no free TCP port"
}

# Builds the jar if needed and copies launcher and jar into $tmp: a source edited during a long run
# cannot make bin/dynakv rebuild inside a measured restart.
prepare_node_cmd() {
  local root=$1
  DYNAKV_BUILD_ONLY=1 "$root/bin/dynakv" || die "building the node failed"
  mkdir -p "$tmp/dist/bin" "$tmp/dist/dynakv-node/target"
  cp -- "$root/bin/dynakv" "$tmp/dist/bin/dynakv"
  cp -- "$root/dynakv-node/target/dynakv.jar" "$tmp/dist/dynakv-node/target/dynakv.jar"
  node_cmd=$tmp/dist/bin/dynakv
}

start_node() { # name [join host:port]: data in $tmp/<name>, log appended to $tmp/<name>.log
  local name=$1 join=${2:-}
  [[ -n ${node_port[$name]:-} ]] || node_port[$name]=$(free_port)
  [[ -n ${node_peer_port[$name]:-} ]] || node_peer_port[$name]=$(free_port)
  mkdir -p "$tmp/$name"
  local args=("127.0.0.1:${node_port[$name]}")
  [[ -z $join ]] || args+=("$join")
  args+=(--peer-port "${node_peer_port[$name]}" --data-dir "$tmp/$name")
  echo "==== $(date -u +%FT%TZ) start: ${args[*]}" >>"$tmp/$name.log"
  env -u DYNAKV_FSYNC "$node_cmd" "${args[@]}" >>"$tmp/$name.log" 2>&1 </dev/null &
  node_pid[$name]=$!
  started_pids+=("${node_pid[$name]}")
}

http_status() { # url [curl args...] -> the status code, 000 when no answer
  local url=$1
  shift
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" 2>/dev/null || true
}

wait_health() { # name seconds: until GET /health answers 200; dies when the node exits or time runs out
  local name=$1 limit=$2 i
  for ((i = 0; i < limit * 10; i++)); do
    [[ $(http_status "http://127.0.0.1:${node_port[$name]}/health") == 200 ]] && return 0
    kill -0 "${node_pid[$name]}" 2>/dev/null || { tail -20 "$tmp/$name.log" >&2; die "node $name exited"; }
    sleep 0.1
  done
  tail -20 "$tmp/$name.log" >&2
  die "node $name did not answer /health within $limit s"
}

rss_mib() { # pid -> VmRSS in MiB ("?" when gone)
  awk '/^VmRSS:/ { printf "%.0f", $2 / 1024; found = 1 } END { if (!found) print "?" }' "/proc/$1/status" 2>/dev/null || echo "?"
}
