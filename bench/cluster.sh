#!/usr/bin/env bash
# DynaKV 3-node benchmark (issue 3; see bench/README.md). Runs from any directory.
#
#   bench/cluster.sh [options]
#
# Starts, on this machine, one DynaKV node, a 3-node DynaKV cluster (default flags: N=3, R=W=2,
# --fsync always) and a 3-member etcd cluster; preloads each with k0..k<keys-1> (100-byte values);
# then in every round measures GET and PUT on each of them and reports medians, the ratios
# cluster ÷ single node and DynaKV cluster PUT ÷ etcd PUT, and p99s against the issue's targets.
# Load: three wrk processes at once (one thread each, the connections split 22/21/21 of 64), one per
# cluster node or etcd member (all three at the single node); requests/s is their sum, p50 and p99
# the highest of the three processes'.
#
# Options (each also settable by the environment variable in brackets):
#   --runs N             rounds of (1 node, 3 nodes, etcd) × (GET, PUT); medians over them [BENCH_RUNS=3]
#   --duration T         wrk duration of each measurement (wrk syntax: 10s, 1m)           [BENCH_DURATION=10s]
#   --connections N      connections in all, split over the three wrk processes (≥ 3)     [BENCH_CONNECTIONS=64]
#   --keys N             keyspace, preloaded into each system                             [BENCH_KEYS=100000]
#   --cluster-event-loops N  --event-loops of each of the 3 cluster nodes; 0: the node's default
#                        (one per core). Default 1: three nodes share this machine's cores, so
#                        each gets its share, as the single node gets all of them. [BENCH_CLUSTER_EVENT_LOOPS=1]
#   --out FILE           also write the markdown report to FILE                           [BENCH_OUT]
#   --skip-etcd          no etcd (no etcd rows, no DynaKV ÷ etcd ratio)                   [BENCH_SKIP_ETCD=1]
#   --skip-cluster       no 3-node DynaKV cluster (checks the rest of the harness)        [BENCH_SKIP_CLUSTER=1]
#   -h, --help           this text
# Other environment: BENCH_NODE_CMD (command that starts a node, default bin/dynakv), BENCH_KEEP_TMP=1
#   (keep the temporary directory with the logs), DYNAKV_JAVA_OPTS (passed to the nodes, reported).
#
# Installs wrk, curl and etcd-server with apt-get when missing (as root, or with sudo -n).
# Every process it starts is stopped by its PID on exit; temporary directories are removed.
set -euo pipefail

bench_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$bench_dir/.." && pwd -P)

runs=${BENCH_RUNS:-3}
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
keys=${BENCH_KEYS:-100000}
cluster_event_loops=${BENCH_CLUSTER_EVENT_LOOPS:-1}
out=${BENCH_OUT:-}
skip_etcd=${BENCH_SKIP_ETCD:-0}
skip_cluster=${BENCH_SKIP_CLUSTER:-0}
node_cmd=${BENCH_NODE_CMD:-$root/bin/dynakv}

# Fixed settings.
WRK_PROCS=3              # wrk processes per measurement: one per node / member
WRK_TIMEOUT=10s          # requests slower than this leave wrk's histogram: well above any plausible p99
HEALTH_WAIT_S=120        # bound on a node's start (the jar is built beforehand, see build_node)
CLUSTER_WAIT_S=60        # bound on the 3 nodes all reporting active_count 3
ETCD_WAIT_S=60           # bound on the etcd members answering /health
STOP_WAIT_S=60           # bound on the clean shutdown of everything after SIGTERM
PRELOAD_CONNECTIONS=64   # the preloads (preload.sh with 2 threads; curl --parallel for etcd)
PUT_TARGET=0.4           # cluster ÷ single node, requests/s, PUT and GET
GET_TARGET=0.4
P99_TARGET_MS=20         # cluster p99 at the default 64 connections
ETCD_TARGET=3            # DynaKV cluster PUT ÷ etcd PUT

usage() { sed -n '2,30s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
  arg=$1
  value=
  if [[ $arg == --*=* ]]; then
    value=${arg#*=}
    arg=${arg%%=*}
  fi
  case $arg in
    --runs | --duration | --connections | --keys | --out | --cluster-event-loops)
      if [[ -z $value ]]; then
        [[ $# -ge 2 ]] || die "$arg needs a value"
        value=$2
        shift
      fi
      case $arg in
        --runs) runs=$value ;;
        --duration) duration=$value ;;
        --connections) connections=$value ;;
        --keys) keys=$value ;;
        --out) out=$value ;;
        --cluster-event-loops) cluster_event_loops=$value ;;
      esac
      ;;
    --skip-etcd) skip_etcd=1 ;;
    --skip-cluster) skip_cluster=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done

for pair in "runs=$runs" "connections=$connections" "keys=$keys"; do
  [[ ${pair#*=} =~ ^[1-9][0-9]*$ ]] || die "--${pair%%=*} must be a positive integer, got '${pair#*=}'"
done
[[ $cluster_event_loops =~ ^[0-9]+$ ]] || die "--cluster-event-loops must be 0 or a positive integer, got '$cluster_event_loops'"
((connections >= WRK_PROCS)) || die "--connections must be at least $WRK_PROCS (one per wrk process)"
((runs <= 100)) || die "--runs must be at most 100"
[[ $skip_etcd == 0 || $skip_etcd == 1 ]] || die "BENCH_SKIP_ETCD must be 0 or 1"
[[ $skip_cluster == 0 || $skip_cluster == 1 ]] || die "BENCH_SKIP_CLUSTER must be 0 or 1"

duration_s() { # wrk duration syntax (plain seconds, or with s/m/h) to seconds
  local d=$1
  case $d in
    *h) echo $((${d%h} * 3600)) ;;
    *m) echo $((${d%m} * 60)) ;;
    *s) echo $((${d%s})) ;;
    *) echo $((d)) ;;
  esac
}
[[ $duration =~ ^[1-9][0-9]*[smh]?$ ]] || die "--duration must look like 10s, 2m or 30, got '$duration'"
duration_seconds=$(duration_s "$duration")

# Connections of wrk process i (0-based): 64 -> 22 21 21.
conns_of() { echo $((connections / WRK_PROCS + ($1 < connections % WRK_PROCS ? 1 : 0))); }

# ---------------------------------------------------------------------------------------------
# Tools

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

etcd_bin() { if command -v etcd >/dev/null 2>&1; then command -v etcd; else echo /usr/bin/etcd; fi; }

ensure_tools() {
  local missing=()
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  if ((!skip_etcd)); then
    [[ -x $(etcd_bin) ]] || missing+=(etcd-server)
  fi
  if ((${#missing[@]} > 0)); then
    # The package's own service is not wanted (it would hold 2379/2380): policy-rc.d usually denies
    # starting it in containers, and this script only ever uses its own members on free ports.
    log "installing ${missing[*]} with apt-get"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" </dev/null >&2
  fi
  command -v wrk >/dev/null 2>&1 || die "wrk is still missing"
  command -v curl >/dev/null 2>&1 || die "curl is still missing"
  if ((!skip_etcd)); then
    [[ -x $(etcd_bin) ]] || die "etcd is still missing"
  fi
}

# ---------------------------------------------------------------------------------------------
# Processes and cleanup: every process started here is recorded and stopped by its PID.

tmp=
started_pids=()

forget_pid() { # a stopped process leaves the list, so cleanup never signals a reused PID
  local kept=() p
  for p in "${started_pids[@]+"${started_pids[@]}"}"; do
    [[ $p == "$1" ]] || kept+=("$p")
  done
  started_pids=(${kept[@]+"${kept[@]}"})
}

# Stops the given PIDs together: SIGTERM to all, a bounded wait for all, then SIGKILL to the rest
# (an etcd leader takes several seconds to step down, so they are not stopped one after another).
# Sets stop_statuses to "pid:status" words (status "killed" after SIGKILL).
stop_statuses=
stop_pids() { # wait_seconds pid...
  local wait_s=$1 pid i alive rc
  shift
  stop_statuses=
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
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      stop_statuses+=" $pid:killed"
    else
      rc=0
      wait "$pid" 2>/dev/null || rc=$?
      stop_statuses+=" $pid:$rc"
    fi
    forget_pid "$pid"
  done
}

# Long foreground steps run as a child that this shell waits for, so that a signal is acted on at
# once; cleanup() then stops the child too (and its whole process group with --group).
child_pid=
child_group=0
child_rc=0
run_child() { # [--group] command... ; sets child_rc
  child_group=0
  if [[ $1 == --group ]]; then
    child_group=1
    shift
    setsid "$@" &
  else
    "$@" &
  fi
  child_pid=$!
  child_rc=0
  wait "$child_pid" || child_rc=$?
  child_pid=
}

cleanup() {
  trap - EXIT INT TERM
  if [[ -n $child_pid ]] && kill -0 "$child_pid" 2>/dev/null; then
    if ((child_group)); then
      kill -TERM -- "-$child_pid" 2>/dev/null || true
    else
      kill -TERM "$child_pid" 2>/dev/null || true
    fi
    wait "$child_pid" 2>/dev/null || true
  fi
  if ((${#started_pids[@]} > 0)); then
    stop_pids 30 "${started_pids[@]}"
  fi
  if [[ -n $tmp && -d $tmp ]]; then
    if [[ ${BENCH_KEEP_TMP:-} == 1 ]]; then
      log "kept $tmp"
    else
      rm -rf -- "$tmp"
    fi
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Free TCP ports on 127.0.0.1 (bounded number of tries), never one handed out before.
taken_ports=" "
port_is_free() {
  local p=$1
  [[ $taken_ports == *" $p "* ]] && return 1
  if command -v ss >/dev/null 2>&1; then
    [[ -z $(ss -Htan "( sport = :$p )" 2>/dev/null) ]] || return 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then return 1; fi
  return 0
}
free_port() { # [offset]: also require port+offset to be free (and reserve it)
  local offset=${1:-0} i p
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 35000))
    port_is_free "$p" || continue
    if ((offset > 0)); then
      port_is_free $((p + offset)) || continue
      taken_ports+="$((p + offset)) "
    fi
    taken_ports+="$p "
    echo "$p"
    return
  done
  die "found no free TCP port"
}

http_status() { # url [curl args...] -> prints the status code, 000 when no answer
  local url=$1
  shift
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" 2>/dev/null || true
}

show_log() { # file what
  if [[ -s $1 ]]; then
    echo "---- last lines of $2's log ($1) ----" >&2
    tail -n 40 "$1" >&2
    echo "----" >&2
  fi
}

wait_http_200() { # url seconds pid logfile what
  local url=$1 wait_s=$2 pid=$3 logf=$4 what=$5 deadline rc
  deadline=$((SECONDS + wait_s))
  while ((SECONDS < deadline)); do
    [[ $(http_status "$url") == 200 ]] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      rc=0
      wait "$pid" 2>/dev/null || rc=$?
      forget_pid "$pid"
      show_log "$logf" "$what"
      die "$what exited (status $rc) before answering $url${exit_hint:+ ($exit_hint)}"
    fi
    sleep 0.2
  done
  show_log "$logf" "$what"
  die "$what did not answer 200 on $url within ${wait_s}s"
}

exit_hint=

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------------------------------------
# DynaKV nodes

build_node() {
  [[ -z ${BENCH_NODE_CMD:-} ]] || return 0
  log "building dynakv if needed"
  run_child --group env DYNAKV_BUILD_ONLY=1 "$root/bin/dynakv"
  ((child_rc == 0)) || die "building the node failed"
}

# DYNAKV_* variables would change the nodes' settings behind the report's back: clear them, but
# DYNAKV_JAVA_OPTS, which the report shows.
node_env=()
for name in $(compgen -e | grep '^DYNAKV_' || true); do
  [[ $name == DYNAKV_JAVA_OPTS ]] && continue
  node_env+=(-u "$name")
done

declare -A node_pid node_port
start_node() { # name [join host:port [node flags...]]; data in $tmp/<name>, log in $tmp/<name>.log
  local name=$1 join=${2:-}
  shift $(($# < 2 ? $# : 2))
  local dir=$tmp/$name
  # The node-to-node port is the HTTP port + 10000 (the node's default): both must be free.
  node_port[$name]=$(free_port 10000)
  mkdir -p "$dir"
  local args=("127.0.0.1:${node_port[$name]}")
  [[ -z $join ]] || args+=("$join")
  args+=(--data-dir "$dir" "$@")
  echo "==== $(date -u +%FT%TZ) start: $node_cmd ${args[*]}" >>"$tmp/$name.log"
  env ${node_env[@]+"${node_env[@]}"} "$node_cmd" "${args[@]}" >>"$tmp/$name.log" 2>&1 </dev/null &
  node_pid[$name]=$!
  started_pids+=("${node_pid[$name]}")
}

wait_node() { # name
  wait_http_200 "http://127.0.0.1:${node_port[$1]}/health" "$HEALTH_WAIT_S" "${node_pid[$1]}" \
    "$tmp/$1.log" "DynaKV node $1"
  log "DynaKV node $1 (pid ${node_pid[$1]}) on 127.0.0.1:${node_port[$1]}"
}

active_count() { # name -> active_count from GET /membership, "?" when there is none
  local body
  body=$(curl -s --max-time 2 "http://127.0.0.1:${node_port[$1]}/membership" 2>/dev/null || true)
  if [[ $body =~ \"active_count\"[[:space:]]*:[[:space:]]*([0-9]+) ]]; then
    echo "${BASH_REMATCH[1]}"
  else
    echo "?"
  fi
}

start_cluster() {
  local n deadline counts ready flags=()
  ((cluster_event_loops == 0)) || flags=(--event-loops "$cluster_event_loops")
  start_node c1 "" ${flags[@]+"${flags[@]}"}
  wait_node c1
  # A build without the cluster wiring refuses the join argument with status 2.
  exit_hint="a node that exits with status 2 here does not support joining a cluster yet"
  for n in c2 c3; do
    start_node "$n" "127.0.0.1:${node_port[c1]}" ${flags[@]+"${flags[@]}"}
    wait_node "$n"
  done
  exit_hint=
  log "waiting (≤ ${CLUSTER_WAIT_S}s) until every node reports active_count 3"
  deadline=$((SECONDS + CLUSTER_WAIT_S))
  while :; do
    ready=1
    counts=
    for n in c1 c2 c3; do
      kill -0 "${node_pid[$n]}" 2>/dev/null || { show_log "$tmp/$n.log" "node $n"; die "DynaKV node $n exited"; }
      counts+=" $n=$(active_count "$n")"
      [[ $counts == *"$n=3" && $(http_status "http://127.0.0.1:${node_port[$n]}/health") == 200 ]] || ready=0
    done
    ((ready)) && break
    if ((SECONDS >= deadline)); then
      for n in c1 c2 c3; do show_log "$tmp/$n.log" "node $n"; done
      die "the 3 nodes did not all report active_count 3 within ${CLUSTER_WAIT_S}s (last:$counts)"
    fi
    sleep 0.5
  done
  log "DynaKV cluster ready:$counts"
}

preload_node() { # name
  log "preloading $keys keys into DynaKV node $1"
  run_child env PRELOAD_THREADS=2 PRELOAD_CONNECTIONS="$PRELOAD_CONNECTIONS" \
    "$bench_dir/preload.sh" "127.0.0.1:${node_port[$1]}" "$keys"
  ((child_rc == 0)) || die "preload of DynaKV node $1 failed"
}

# ---------------------------------------------------------------------------------------------
# etcd

declare -A etcd_pid etcd_client_port etcd_peer_port
etcd_prefix=
etcd_version=

start_etcd() {
  local m initial=
  etcd_version=$("$(etcd_bin)" --version 2>/dev/null | awk '/^etcd Version:/ { print $3; exit }')
  for m in e1 e2 e3; do
    etcd_client_port[$m]=$(free_port)
    etcd_peer_port[$m]=$(free_port)
    initial+="${initial:+,}$m=http://127.0.0.1:${etcd_peer_port[$m]}"
  done
  for m in e1 e2 e3; do
    mkdir -p "$tmp/$m"
    chmod 700 "$tmp/$m" # etcd insists on private data directories
    "$(etcd_bin)" --name "$m" --data-dir "$tmp/$m" \
      --listen-client-urls "http://127.0.0.1:${etcd_client_port[$m]}" \
      --advertise-client-urls "http://127.0.0.1:${etcd_client_port[$m]}" \
      --listen-peer-urls "http://127.0.0.1:${etcd_peer_port[$m]}" \
      --initial-advertise-peer-urls "http://127.0.0.1:${etcd_peer_port[$m]}" \
      --initial-cluster "$initial" --initial-cluster-state new \
      --initial-cluster-token "dynakv-bench-$$" \
      --logger zap --log-level warn >>"$tmp/$m.log" 2>&1 </dev/null &
    etcd_pid[$m]=$!
    started_pids+=("${etcd_pid[$m]}")
  done
  # /health answers 200 once the member sees a leader: all three then form the cluster.
  for m in e1 e2 e3; do
    wait_http_200 "http://127.0.0.1:${etcd_client_port[$m]}/health" "$ETCD_WAIT_S" "${etcd_pid[$m]}" \
      "$tmp/$m.log" "etcd member $m"
    log "etcd member $m (pid ${etcd_pid[$m]}) on 127.0.0.1:${etcd_client_port[$m]}"
  done
  # The JSON gateway's prefix depends on the version: /v3 (3.4+), /v3beta (3.3), /v3alpha (3.2).
  local p
  for p in /v3 /v3beta /v3alpha; do
    if [[ $(http_status "http://127.0.0.1:${etcd_client_port[e1]}$p/kv/range" \
      -X POST -H 'Content-Type: application/json' --data '{"key":"AA=="}') == 200 ]]; then
      etcd_prefix=$p
      break
    fi
  done
  [[ -n $etcd_prefix ]] || die "etcd $etcd_version: no JSON gateway answered POST /v3{,beta,alpha}/kv/range"
  log "etcd $etcd_version, JSON gateway at $etcd_prefix"
}

# Loads k0..k<keys-1> into etcd through member e1, each key once, with one curl --parallel run (64
# transfers at a time) over a generated config file; every PUT must answer 200. The values are
# base64 of 94 random alphanumerics, as bench/etcd_put.lua sends.
preload_etcd() {
  local cfg=$tmp/etcd-preload.curl codes=$tmp/etcd-preload.codes t0 ok timeout_s
  log "preloading $keys keys into etcd (member e1)"
  awk -v n="$keys" -v url="http://127.0.0.1:${etcd_client_port[e1]}$etcd_prefix/kv/put" '
    function b64(s,   out, i, v, a, b, c, len) {
      out = ""; len = length(s)
      for (i = 1; i <= len; i += 3) {
        a = ORD[substr(s, i, 1)]
        b = (i + 1 <= len) ? ORD[substr(s, i + 1, 1)] : 0
        c = (i + 2 <= len) ? ORD[substr(s, i + 2, 1)] : 0
        v = a * 65536 + b * 256 + c
        out = out substr(B, int(v / 262144) % 64 + 1, 1) substr(B, int(v / 4096) % 64 + 1, 1)
        out = out ((i + 1 <= len) ? substr(B, int(v / 64) % 64 + 1, 1) : "=")
        out = out ((i + 2 <= len) ? substr(B, v % 64 + 1, 1) : "=")
      }
      return out
    }
    BEGIN {
      B = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
      A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
      for (i = 1; i < 128; i++) ORD[sprintf("%c", i)] = i
      srand(1)
      for (v = 0; v < 512; v++) {
        s = ""
        for (j = 0; j < 94; j++) s = s substr(A, int(rand() * 62) + 1, 1)
        VAL[v] = b64(s)
      }
      for (k = 0; k < n; k++) {
        if (k > 0) print "next"
        printf "url = \"%s\"\n", url
        printf "data = \"{\\\"key\\\":\\\"%s\\\",\\\"value\\\":\\\"%s\\\"}\"\n", b64("k" k), VAL[k % 512]
        print "header = \"Content-Type: application/json\""
        print "silent"
        print "max-time = 30"
        print "output = \"/dev/null\""
        print "write-out = \"%{http_code}\\n\""
      }
    }' >"$cfg"
  timeout_s=$((keys / 100))
  ((timeout_s >= 300)) || timeout_s=300
  t0=$(now)
  run_child timeout "$timeout_s" curl --parallel --parallel-max "$PRELOAD_CONNECTIONS" -K "$cfg" \
    >"$codes" 2>>"$tmp/etcd-preload.log"
  ok=$(grep -c '^200$' "$codes" || true)
  if ((child_rc != 0 || ok != keys)); then
    sort "$codes" | uniq -c | sed 's/^/  status /' >&2
    show_log "$tmp/etcd-preload.log" "the etcd preload"
    die "etcd preload: $ok of $keys PUTs answered 200 (curl exit $child_rc)"
  fi
  rm -f -- "$cfg"
  log "preloaded $keys keys into etcd in $(elapsed "$t0" "$(now)")s"
  # Read back the first and the last key through another member.
  local k
  for k in 0 $((keys - 1)); do
    curl -s --max-time 10 -X POST -H 'Content-Type: application/json' \
      --data "{\"key\":\"$(printf 'k%s' "$k" | base64)\"}" \
      "http://127.0.0.1:${etcd_client_port[e2]}$etcd_prefix/kv/range" | grep -q '"kvs"' ||
      die "etcd preload: k$k does not read back"
  done
}

# ---------------------------------------------------------------------------------------------
# wrk: three processes at once

# Per wrk process, a wrapper that runs the script with the thread numbers (and so the random
# seeds, see common.lua) moved by 100 × the process index, so the three draw different keys.
wrapper() { # script index -> path of the wrapper
  local script=$1 i=$2 w
  w=$tmp/lua/$(basename "$script" .lua)-$i.lua
  if [[ ! -f $w ]]; then
    mkdir -p "$tmp/lua"
    cat >"$w" <<LUA
-- generated by bench/cluster.sh: $script as wrk process $i of $WRK_PROCS
dofile([==[$script]==])
local script_init = init
function init(args)
  thread_id = thread_id + $((100 * i))
  script_init(args)
end
LUA
  fi
  echo "$w"
}

parse_wrk() { # file -> "rps p50 p99 non2xx sock" (ms)
  awk '
    function to_ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
      if (v ~ /m$/)  return substr(v, 1, length(v) - 1) * 60000
      if (v ~ /h$/)  return substr(v, 1, length(v) - 1) * 3600000
      return "nan"
    }
    BEGIN { rps = "nan"; p50 = "nan"; p99 = "nan"; non2xx = "nan"; sock = 0 }
    /^ *50% /           { p50 = to_ms($2) }
    /^ *99% /           { p99 = to_ms($2) }
    /^Requests\/sec:/   { rps = $2 }
    /^errors non2xx=/   { split($2, a, "="); non2xx = a[2] }
    /Socket errors:/    { gsub(/,/, ""); sock = $4 + $6 + $8 + $10 }
    END { printf "%s %s %s %s %s\n", rps, p50, p99, non2xx, sock }
  ' "$1"
}

# Runs the three wrk processes at once; sets w_rps (sum), w_p50 and w_p99 (max, ms), w_non2xx and
# w_sock (sums), and w_detail ("rps/p99" of each process).
run_spread() { # name script url1 url2 url3 [script args...]
  local name=$1 script=$2 i pid rc failed=0
  local urls=("$3" "$4" "$5")
  shift 5
  local pids=() files=()
  for ((i = 0; i < WRK_PROCS; i++)); do
    files[i]=$tmp/wrk-$name-$i.txt
    timeout --signal=INT $((duration_seconds + 60)) \
      wrk -t1 -c"$(conns_of "$i")" -d"$duration" --latency --timeout "$WRK_TIMEOUT" \
      -s "$(wrapper "$script" "$i")" "${urls[i]}" -- "$@" >"${files[i]}" 2>&1 </dev/null &
    pids[i]=$!
    started_pids+=("${pids[i]}")
  done
  for ((i = 0; i < WRK_PROCS; i++)); do
    rc=0
    wait "${pids[i]}" || rc=$?
    forget_pid "${pids[i]}"
    if ((rc != 0)) || ! grep -q '^Requests/sec:' "${files[i]}"; then
      cat "${files[i]}" >&2
      log "wrk process $i of $name failed (exit $rc)"
      failed=1
    fi
  done
  ((failed == 0)) || die "wrk failed ($name)"
  w_rps=0 w_p50=0 w_p99=0 w_non2xx=0 w_sock=0 w_detail=
  local rps p50 p99 non2xx sock
  for ((i = 0; i < WRK_PROCS; i++)); do
    read -r rps p50 p99 non2xx sock < <(parse_wrk "${files[i]}")
    read -r w_rps w_p50 w_p99 w_non2xx w_sock < <(awk -v a="$w_rps" -v b="$w_p50" -v c="$w_p99" \
      -v d="$w_non2xx" -v e="$w_sock" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v n="$non2xx" -v s="$sock" '
      function num(v) { return v ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ }
      BEGIN {
        if (!num(rps) || !num(a)) a = "nan"; else a += rps
        if (!num(p50) || !num(b)) b = "nan"; else if (p50 > b) b = p50
        if (!num(p99) || !num(c)) c = "nan"; else if (p99 > c) c = p99
        if (!num(n) || !num(d)) d = "nan"; else d += n
        e += s
        print a, b, c, d, e
      }')
    w_detail+="${w_detail:+ + }$(fmt %.0f "$rps")"
  done
}

median() { # numbers... -> median
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan"; exit }
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

fmt() { # format value -> printf, "n/a" for non-numbers
  awk -v f="$1" -v v="$2" 'BEGIN { if (v ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) printf f, v; else printf "n/a" }'
}

ratio() { # a b -> a/b with two decimals and "×"
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (!(a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0)) { printf "n/a"; exit }
    r = a / b
    printf (r >= 10 ? "%.1f×" : (r >= 0.1 ? "%.2f×" : "%.3f×")), r }'
}

met() { # value op limit -> yes / no / n/a   (op: ge or le)
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    if (!(v ~ /^[0-9.]+(e[-+]?[0-9]+)?$/)) { printf "n/a"; exit }
    ok = (op == "ge") ? (v + 0 >= l + 0) : (v + 0 <= l + 0)
    printf (ok ? "yes" : "**no**") }'
}

quotient() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) print a / b; else print "nan" }'; }

environment_lines() {
  local commit cpu java_v
  commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [[ -n $(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
    commit+=" (with uncommitted changes)"
  fi
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
  java_v=$(java -version 2>&1 | head -n1 || true)
  if [[ -n ${BENCH_NODE_CMD:-} ]]; then
    # The nodes need not be this tree's build: say which command started them.
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); harness from commit $commit; nodes started with BENCH_NODE_CMD=$BENCH_NODE_CMD"
  else
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $commit"
  fi
  echo "- machine: $(nproc) CPUs${cpu:+ ($cpu)}, $(awk '/^MemTotal:/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
  echo "- $java_v; $({ wrk -v 2>&1 || true; } | awk 'NR == 1 { print $1, $2 }')${etcd_version:+; etcd $etcd_version}"
  echo "- load average when the rounds began: $load_before (other work on the machine shares its cores)"
}

emit_report() { # file
  cat "$1"
  if [[ -n $out ]]; then
    mkdir -p -- "$(dirname -- "$out")"
    cp -- "$1" "$out"
    log "report written to $out"
  fi
}

# ---------------------------------------------------------------------------------------------
# The benchmark

ensure_tools
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dynakv-cluster-bench.XXXXXX")
chmod 755 "$tmp"

systems=(single)
((skip_cluster)) || systems+=(cluster)
((skip_etcd)) || systems+=(etcd)

build_node
start_node single
wait_node single
preload_node single
if ((!skip_cluster)); then
  start_cluster
  preload_node c1 # through one node: the coordinator writes each key to its 3 replicas (W=2)
fi
if ((!skip_etcd)); then
  start_etcd
  preload_etcd
fi

declare -A rps p50 p99 non2xx sock detail
targets=()
for s in "${systems[@]}"; do targets+=("$s-get" "$s-put"); done

load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
for ((r = 1; r <= runs; r++)); do
  for t in "${targets[@]}"; do
    s=${t%-*} op=${t##*-}
    case $s in
      single)
        u="http://127.0.0.1:${node_port[single]}"
        run_spread "$t-$r" "$bench_dir/$op.lua" "$u" "$u" "$u" "$keys"
        ;;
      cluster)
        run_spread "$t-$r" "$bench_dir/$op.lua" "http://127.0.0.1:${node_port[c1]}" \
          "http://127.0.0.1:${node_port[c2]}" "http://127.0.0.1:${node_port[c3]}" "$keys"
        ;;
      etcd)
        run_spread "$t-$r" "$bench_dir/etcd_$op.lua" "http://127.0.0.1:${etcd_client_port[e1]}" \
          "http://127.0.0.1:${etcd_client_port[e2]}" "http://127.0.0.1:${etcd_client_port[e3]}" \
          "$keys" "$etcd_prefix"
        ;;
    esac
    rps[$t,$r]=$w_rps p50[$t,$r]=$w_p50 p99[$t,$r]=$w_p99 non2xx[$t,$r]=$w_non2xx sock[$t,$r]=$w_sock
    detail[$t,$r]=$w_detail
    log "run $r/$runs $t: $(fmt %.0f "$w_rps") req/s ($w_detail), p50 ≤ $w_p50 ms, p99 ≤ $w_p99 ms, non-2xx $w_non2xx, socket errors $w_sock"
    sleep 1
  done
done

# Every node and member must still be up: a crash during the rounds invalidates them.
for name in "${!node_pid[@]}"; do
  kill -0 "${node_pid[$name]}" 2>/dev/null || { show_log "$tmp/$name.log" "node $name"; die "DynaKV node $name exited during the measurements"; }
done
for m in "${!etcd_pid[@]}"; do
  kill -0 "${etcd_pid[$m]}" 2>/dev/null || { show_log "$tmp/$m.log" "etcd $m"; die "etcd member $m exited during the measurements"; }
done

declare -A mrps mp50 mp99
for t in "${targets[@]}"; do
  a=() b=() c=()
  for ((r = 1; r <= runs; r++)); do
    a+=("${rps[$t,$r]}"); b+=("${p50[$t,$r]}"); c+=("${p99[$t,$r]}")
  done
  mrps[$t]=$(median "${a[@]}"); mp50[$t]=$(median "${b[@]}"); mp99[$t]=$(median "${c[@]}")
done

label_of() {
  case $1 in
    single-get) echo 'DynaKV 1 node GET' ;;
    single-put) echo 'DynaKV 1 node PUT' ;;
    cluster-get) echo 'DynaKV 3 nodes GET' ;;
    cluster-put) echo 'DynaKV 3 nodes PUT' ;;
    etcd-get) echo 'etcd 3 members GET' ;;
    etcd-put) echo 'etcd 3 members PUT' ;;
  esac
}

report=$tmp/report.md
{
  echo "## DynaKV 3-node cluster vs one node vs etcd"
  echo
  environment_lines
  echo "- load: $WRK_PROCS wrk processes at once, \`wrk -t1 -c$(conns_of 0)/$(conns_of 1)/$(conns_of 2) -d$duration --latency --timeout $WRK_TIMEOUT\` ($connections connections in all), one per cluster node or etcd member, all three at the node for the 1-node rows; **requests/s is the sum of the three, p50 and p99 the highest of the three processes' own** (wrk has no merged histogram)"
  echo "- random keys of a ${keys}-key keyspace preloaded into each system (the DynaKV cluster through one node), 100-byte values"
  echo "- DynaKV: default flags (replication factor 3, R=W=2, --fsync always: a write is acknowledged once fsynced, with group commit); JVM options: ${DYNAKV_JAVA_OPTS-defaults of bin/dynakv}"
  echo "- Cluster nodes: $( ((cluster_event_loops == 0)) && echo "the default --event-loops (one per core: $(nproc) each)" || echo "--event-loops $cluster_event_loops each (three nodes share $(nproc) cores; the single node has the default, one per core)")"
  if ((!skip_etcd)); then
    echo "- etcd $etcd_version: 3 members on loopback, default settings (every write is fsynced to each member's WAL before it counts, like --fsync always); requests through the JSON gateway (\`POST $etcd_prefix/kv/put\`, \`POST $etcd_prefix/kv/range\`, bench/etcd_*.lua); ranges are etcd's default, linearizable"
  fi
  echo "- all systems run on this machine for the whole session, idle while another is measured"
  echo
  echo "| run | target | requests/s | per process | p50 (ms, max) | p99 (ms, max) | non-2xx | socket errors |"
  echo "|---:|---|---:|---|---:|---:|---:|---:|"
  for ((r = 1; r <= runs; r++)); do
    for t in "${targets[@]}"; do
      echo "| $r | $(label_of "$t") | $(fmt %.0f "${rps[$t,$r]}") | ${detail[$t,$r]} | $(fmt %.3f "${p50[$t,$r]}") | $(fmt %.3f "${p99[$t,$r]}") | ${non2xx[$t,$r]} | ${sock[$t,$r]} |"
    done
  done
  echo
  echo "Medians of $runs runs:"
  echo
  echo "| target | requests/s | p50 (ms) | p99 (ms) |"
  echo "|---|---:|---:|---:|"
  for t in "${targets[@]}"; do
    echo "| $(label_of "$t") | $(fmt %.0f "${mrps[$t]}") | $(fmt %.3f "${mp50[$t]}") | $(fmt %.3f "${mp99[$t]}") |"
  done
  if ((!skip_cluster)); then
    echo
    echo "| measure | value | target | met |"
    echo "|---|---:|---|---|"
    echo "| 3 nodes PUT ÷ 1 node PUT (requests/s) | **$(ratio "${mrps[cluster-put]}" "${mrps[single-put]}")** | ≥ ${PUT_TARGET}× | $(met "$(quotient "${mrps[cluster-put]}" "${mrps[single-put]}")" ge "$PUT_TARGET") |"
    echo "| 3 nodes GET ÷ 1 node GET (requests/s) | **$(ratio "${mrps[cluster-get]}" "${mrps[single-get]}")** | ≥ ${GET_TARGET}× | $(met "$(quotient "${mrps[cluster-get]}" "${mrps[single-get]}")" ge "$GET_TARGET") |"
    echo "| 3 nodes PUT p99 | $(fmt %.2f "${mp99[cluster-put]}") ms | ≤ ${P99_TARGET_MS} ms at 64 connections | $(met "${mp99[cluster-put]}" le "$P99_TARGET_MS") |"
    echo "| 3 nodes GET p99 | $(fmt %.2f "${mp99[cluster-get]}") ms | ≤ ${P99_TARGET_MS} ms at 64 connections | $(met "${mp99[cluster-get]}" le "$P99_TARGET_MS") |"
    if ((!skip_etcd)); then
      echo "| DynaKV 3 nodes PUT ÷ etcd 3 members PUT | **$(ratio "${mrps[cluster-put]}" "${mrps[etcd-put]}")** | ≥ ${ETCD_TARGET}× | $(met "$(quotient "${mrps[cluster-put]}" "${mrps[etcd-put]}")" ge "$ETCD_TARGET") |"
      echo "| DynaKV 3 nodes GET ÷ etcd 3 members GET | $(ratio "${mrps[cluster-get]}" "${mrps[etcd-get]}") | | |"
    fi
    if ((connections != 64)); then
      echo
      echo "(Run with $connections connections: the p99 target is stated for 64.)"
    fi
  elif ((!skip_etcd)); then
    echo
    echo "| measure | value |"
    echo "|---|---:|"
    echo "| DynaKV 1 node PUT ÷ etcd 3 members PUT | $(ratio "${mrps[single-put]}" "${mrps[etcd-put]}") |"
    echo "| DynaKV 1 node GET ÷ etcd 3 members GET | $(ratio "${mrps[single-get]}" "${mrps[etcd-get]}") |"
    echo
    echo "(--skip-cluster: no 3-node DynaKV figures, so none of the issue's targets is measured.)"
  fi
} >"$report"

# Stop everything (all at once, bounded) before printing, and say how the nodes exited.
node_pids=()
for name in single c1 c2 c3; do
  [[ -n ${node_pid[$name]:-} ]] && node_pids+=("${node_pid[$name]}")
done
stop_pids "$STOP_WAIT_S" "${node_pids[@]}"
node_exits=$stop_statuses
if ((!skip_etcd)); then
  stop_pids "$STOP_WAIT_S" "${etcd_pid[e1]}" "${etcd_pid[e2]}" "${etcd_pid[e3]}"
fi
for word in $node_exits; do
  [[ ${word#*:} == 0 ]] || log "warning: a DynaKV node (pid ${word%%:*}) ended with status ${word#*:} on SIGTERM"
done

emit_report "$report"

errors=0
for ((r = 1; r <= runs; r++)); do
  for t in "${targets[@]}"; do
    [[ ${non2xx[$t,$r]} == 0 && ${sock[$t,$r]} == 0 ]] || errors=1
  done
done
((errors == 0)) || log "warning: some requests failed (see the non-2xx and socket error columns)"
