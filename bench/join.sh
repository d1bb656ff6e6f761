#!/usr/bin/env bash
# DynaKV join benchmark (see bench/README.md). Runs from any directory.
#
#   bench/join.sh [options]
#
# Target: "a joining node with 1 GiB of data to take over is serving within 2 minutes on this
# machine". Starts three nodes (default flags: N=3, so each holds every key), loads --size-mib of
# random, incompressible values (raw bytes, --value-kib each) through one of them, then starts a
# fourth node joining through that one. With 4 nodes and N=3 it takes over 3/4 of the data
# (~1.03 GiB of the default 1400 MiB). Measures the seconds from its process start to GET /health
# answering 200, and to its log line "holds all its partitions" (every partition it gained has been
# streamed from the old owners and is durable: until then it refuses reads of the missing ones);
# reports the bytes taken over and MB/s; then reads a sample of random keys through the new node
# (all must answer 200) and with ?local=true (about 3/4 should be its own).
#
# Options (each also settable by the environment variable in brackets):
#   --size-mib N         MiB of values to load (the 4th node takes over 3/4 of them)  [BENCH_SIZE_MIB=1400]
#   --value-kib N        size of each value in KiB (≤ 1024, the node's limit)          [BENCH_VALUE_KIB=64]
#   --connections N      wrk connections of the load                                  [BENCH_CONNECTIONS=16]
#   --sample N           random keys read through the new node afterwards             [BENCH_SAMPLE=200]
#   --wait S             bound in seconds on the join (start to "holds all")          [BENCH_JOIN_WAIT=600]
#   --out FILE           also write the markdown report to FILE                       [BENCH_OUT]
#   -h, --help           this text
# Other environment: BENCH_NODE_CMD (command that starts a node, default a snapshot of bin/dynakv
#   and its jar, see below), BENCH_KEEP_TMP=1 (keep the temporary directory with the logs),
#   DYNAKV_JAVA_OPTS (passed to the nodes, reported; other DYNAKV_* variables are cleared).
#
# The node is built first (bin/dynakv with DYNAKV_BUILD_ONLY=1), then bin/dynakv and the jar are
# copied into the temporary directory and the nodes are started from that copy: a source edited in
# the tree during the run cannot trigger a rebuild inside a measured start.
# Installs wrk, curl and jq with apt-get when missing (as root, or with sudo -n).
# Every process it starts is stopped by its PID on exit; temporary directories are removed.
set -euo pipefail

bench_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$bench_dir/.." && pwd -P)

size_mib=${BENCH_SIZE_MIB:-1400}
value_kib=${BENCH_VALUE_KIB:-64}
connections=${BENCH_CONNECTIONS:-16}
sample=${BENCH_SAMPLE:-200}
join_wait=${BENCH_JOIN_WAIT:-600}
out=${BENCH_OUT:-}
node_cmd=${BENCH_NODE_CMD:-}

# Fixed settings.
HEALTH_WAIT_S=120        # bound on the start of each of the first three nodes
CLUSTER_WAIT_S=60        # bound on the three nodes all listing each other up
STOP_WAIT_S=60           # bound on the clean shutdown of everything after SIGTERM
SETTLE_S=5               # pause after the load, before the join
LOAD_THREADS=2           # wrk threads of the load
POLL_S=0.1               # poll period while the new node joins
CHECK_KEYS=20            # sample keys whose bytes are compared (new node's copy vs a quorum read)
TARGET_S=120             # the issue's target: serving within 2 minutes

usage() { sed -n '2,33s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
log() { printf '[join] %s\n' "$*" >&2; }
die() { printf 'join: %s\n' "$*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
  arg=$1
  value=
  if [[ $arg == --*=* ]]; then
    value=${arg#*=}
    arg=${arg%%=*}
  fi
  case $arg in
    --size-mib | --value-kib | --connections | --sample | --wait | --out)
      if [[ -z $value ]]; then
        [[ $# -ge 2 ]] || die "$arg needs a value"
        value=$2
        shift
      fi
      case $arg in
        --size-mib) size_mib=$value ;;
        --value-kib) value_kib=$value ;;
        --connections) connections=$value ;;
        --sample) sample=$value ;;
        --wait) join_wait=$value ;;
        --out) out=$value ;;
      esac
      ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done

for pair in "size-mib=$size_mib" "value-kib=$value_kib" "connections=$connections" "sample=$sample" "wait=$join_wait"; do
  [[ ${pair#*=} =~ ^[1-9][0-9]*$ ]] || die "--${pair%%=*} must be a positive integer, got '${pair#*=}'"
done
((value_kib <= 1024)) || die "--value-kib must be at most 1024 (the node's --max-value-bytes default is 1 MiB)"
((connections >= LOAD_THREADS)) || die "--connections must be at least $LOAD_THREADS"
value_bytes=$((value_kib * 1024))
keys=$(((size_mib * 1024 + value_kib - 1) / value_kib))
loaded_bytes=$((keys * value_bytes))
((sample <= keys)) || sample=$keys

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

ensure_tools() {
  local missing=() t
  for t in wrk curl jq; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  if ((${#missing[@]} > 0)); then
    log "installing ${missing[*]} with apt-get"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" </dev/null >&2
  fi
  for t in wrk curl jq; do
    command -v "$t" >/dev/null 2>&1 || die "$t is still missing"
  done
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

# Stops the given PIDs together: SIGTERM to all, a bounded wait, then SIGKILL to the rest.
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
free_port() {
  local i p
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    [[ $taken_ports == *" $p "* ]] && continue
    if command -v ss >/dev/null 2>&1; then
      [[ -z $(ss -Htan "( sport = :$p )" 2>/dev/null) ]] || continue
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
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
      die "$what exited (status $rc) before answering $url"
    fi
    sleep 0.2
  done
  show_log "$logf" "$what"
  die "$what did not answer 200 on $url within ${wait_s}s"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# A node log line's timestamp (2026-01-02T03:04:05.678Z) as epoch seconds, empty when none.
log_epoch() { if [[ -n $1 ]]; then date -d "$1" +%s.%N 2>/dev/null || true; fi; }

fmt() { # format value -> printf, "n/a" for non-numbers
  awk -v f="$1" -v v="$2" 'BEGIN { if (v ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) printf f, v; else printf "n/a" }'
}
mib() { fmt %.0f "$(awk -v b="$1" 'BEGIN { if (b ~ /^[0-9.]+$/) print b / 1048576; else print "x" }')"; }
rate_mb() { # bytes seconds -> "X MB/s (Y MiB/s)"
  awk -v b="$1" -v s="$2" 'BEGIN {
    if (!(b ~ /^[0-9.]+$/ && s ~ /^[0-9.]+$/ && s > 0)) { printf "n/a"; exit }
    printf "%.1f MB/s (%.1f MiB/s)", b / s / 1e6, b / s / 1048576 }'
}

environment_lines() {
  local commit cpu java_v
  commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [[ -n $(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
    commit+=" (with uncommitted changes)"
  fi
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
  java_v=$(java -version 2>&1 | head -n1 || true)
  if [[ -n ${BENCH_NODE_CMD:-} ]]; then
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); harness from commit $commit; nodes started with BENCH_NODE_CMD=$BENCH_NODE_CMD"
  else
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $commit"
  fi
  echo "- machine: $(nproc) CPUs${cpu:+ ($cpu)}, $(awk '/^MemTotal:/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo), $(uname -sr); $java_v"
  echo "- load average: $load_before before the load, $load_join when the 4th node started (other work on the machine shares its cores)"
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
# DynaKV nodes

# Builds the jar, then runs nodes from a copy of bin/dynakv and the jar (no sources beside it, so
# the launcher never rebuilds): edits in the tree during the run cannot reach a measured start.
prepare_node_cmd() {
  if [[ -n $node_cmd ]]; then
    return
  fi
  log "building dynakv if needed"
  run_child --group env DYNAKV_BUILD_ONLY=1 "$root/bin/dynakv"
  ((child_rc == 0)) || die "building the node failed"
  mkdir -p "$tmp/dist/bin" "$tmp/dist/dynakv-node/target"
  cp -- "$root/bin/dynakv" "$tmp/dist/bin/dynakv"
  cp -- "$root/dynakv-node/target/dynakv.jar" "$tmp/dist/dynakv-node/target/dynakv.jar"
  node_cmd=$tmp/dist/bin/dynakv
}

# DYNAKV_* variables would change the nodes' settings behind the report's back: clear them, but
# DYNAKV_JAVA_OPTS, which the report shows.
node_env=()
for name in $(compgen -e | grep '^DYNAKV_' || true); do
  [[ $name == DYNAKV_JAVA_OPTS ]] && continue
  node_env+=(-u "$name")
done

declare -A node_pid node_port node_peer_port node_launch
start_node() { # name [join host:port]; data in $tmp/<name>, log in $tmp/<name>.log
  local name=$1 join=${2:-}
  node_port[$name]=$(free_port)
  node_peer_port[$name]=$(free_port)
  mkdir -p "$tmp/$name"
  local args=("127.0.0.1:${node_port[$name]}")
  [[ -z $join ]] || args+=("$join")
  args+=(--peer-port "${node_peer_port[$name]}" --data-dir "$tmp/$name")
  echo "==== $(date -u +%FT%TZ) start: $node_cmd ${args[*]}" >>"$tmp/$name.log"
  node_launch[$name]=$(now)
  env ${node_env[@]+"${node_env[@]}"} "$node_cmd" "${args[@]}" >>"$tmp/$name.log" 2>&1 </dev/null &
  node_pid[$name]=$!
  started_pids+=("${node_pid[$name]}")
}

wait_node() { # name
  wait_http_200 "http://127.0.0.1:${node_port[$1]}/health" "$HEALTH_WAIT_S" "${node_pid[$1]}" \
    "$tmp/$1.log" "DynaKV node $1"
  log "DynaKV node $1 (pid ${node_pid[$1]}) on 127.0.0.1:${node_port[$1]} (peer port ${node_peer_port[$1]})"
}

url() { echo "http://127.0.0.1:${node_port[$1]}$2"; }

stats_field() { # name field -> number from GET /stats, "n/a" when none
  local v
  v=$(curl -s --max-time 5 "$(url "$1" /stats)" 2>/dev/null | jq -r --arg f "$2" '.[$f] // "n/a"' 2>/dev/null || true)
  echo "${v:-n/a}"
}

# "active_count ring_epoch up" of a node's GET /membership (up: how many it lists as up).
membership_summary() { # name
  curl -s --max-time 2 "$(url "$1" /membership)" 2>/dev/null |
    jq -r '"\(.active_count) \(.ring_epoch) \([.nodes[] | select(.status == "up")] | length)"' 2>/dev/null ||
    echo "? ? ?"
}

wait_cluster() { # count name...: every named node lists count nodes up, active_count count, one ring epoch
  local count=$1 deadline n s last epochs ok
  shift
  deadline=$((SECONDS + CLUSTER_WAIT_S))
  while :; do
    ok=1
    last=
    epochs=" "
    for n in "$@"; do
      kill -0 "${node_pid[$n]}" 2>/dev/null || { show_log "$tmp/$n.log" "node $n"; die "DynaKV node $n exited"; }
      s=$(membership_summary "$n")
      last+=" $n=[$s]"
      read -r a e u <<<"$s"
      [[ $a == "$count" && $u == "$count" ]] || ok=0
      [[ $epochs == *" $e "* ]] || epochs+="$e "
    done
    [[ $(wc -w <<<"$epochs") == 1 ]] || ok=0
    ((ok)) && break
    if ((SECONDS >= deadline)); then
      for n in "$@"; do show_log "$tmp/$n.log" "node $n"; done
      die "the nodes did not all list $count members up in one ring within ${CLUSTER_WAIT_S}s (active_count ring_epoch up:$last)"
    fi
    sleep 0.5
  done
  log "cluster of $count ready (active_count ring_epoch up:$last)"
}

# The state of a node's partition streams, from its log since its last start:
#   "<streams> <open> <partitions> <first streaming timestamp> <last holds-all timestamp>"
# streams: "streaming N partitions in" / "resuming N partition streams" lines; open: 1 when the
# last of them has no "holds all its partitions" after it; partitions: their N, joined by "+".
stream_state() { # logfile
  awk '
    /^==== / { streams = 0; open = 0; parts = ""; first = "-"; done = "-" }
    /streaming [0-9]+ partitions in|resuming [0-9]+ partition streams/ {
      streams++; open = 1
      if (first == "-") first = $1
      if (match($0, /(streaming|resuming) [0-9]+ /)) { split(substr($0, RSTART, RLENGTH), w, " "); parts = parts (parts == "" ? "" : "+") w[2] }
    }
    /holds all its partitions/ { if (open) { open = 0; done = $1 } }
    END { printf "%d %d %s %s %s\n", streams, open, (parts == "" ? 0 : parts), first, done }
  ' "$1"
}

# ---------------------------------------------------------------------------------------------
# The load: raw random bytes, each key once (the scheme of bench/preload.sh)

write_loader() { # path
  cat >"$1" <<'LUA'
-- generated by bench/join.sh. Arguments: COUNT THREADS MARKER_DIR VALUE_BYTES.
-- Thread t (1..THREADS) owns keys t-1, t-1+THREADS, ... and PUTs each once, with a raw value
-- (Content-Type: application/octet-stream) of VALUE_BYTES random bytes: one of the thread's 8
-- random blocks rotated by a random offset, so values differ and do not compress.
local threads = {}
local next_thread_id = 1

function setup(thread)
  thread:set("thread_id", next_thread_id)
  next_thread_id = next_thread_id + 1
  table.insert(threads, thread)
end

local PARK_MS = 24 * 3600 * 1000
local BLOCKS = 8
local headers = { ["Content-Type"] = "application/octet-stream" }

function init(args)
  local count = tonumber(args[1])
  local nthreads = tonumber(args[2])
  marker_dir = args[3]
  value_bytes = tonumber(args[4])
  math.randomseed(thread_id * 7919)
  blocks = {}
  for b = 1, BLOCKS do
    local chars = {}
    for j = 1, value_bytes do chars[j] = string.char(math.random(0, 255)) end
    blocks[b] = table.concat(chars)
  end
  first = thread_id - 1
  stride = nthreads
  quota = 0
  if first < count then quota = math.floor((count - 1 - first) / stride) + 1 end
  reserved = 0
  sent = 0
  extra = 0
  received = 0
  ok = 0
  non2xx = 0
  finished = false
  verifying = (thread_id == 1) -- wrk builds one request before the run only to check it
  if quota == 0 then mark_finished() end
end

function mark_finished()
  finished = true
  local f = io.open(marker_dir .. "/done." .. thread_id, "w")
  if f then f:write("done\n"); f:close() end
end

function delay()
  if reserved < quota then
    reserved = reserved + 1
    return 0
  end
  return PARK_MS
end

local function value()
  local block = blocks[math.random(1, BLOCKS)]
  local cut = math.random(1, value_bytes)
  return block:sub(cut + 1) .. block:sub(1, cut)
end

function request()
  if verifying then
    verifying = false
    return wrk.format("PUT", "/key/k" .. first, headers, value())
  end
  local index = sent
  sent = sent + 1
  if index >= quota then -- a reconnect after a request lost in flight: resend the last key
    index = quota - 1
    extra = extra + 1
  end
  return wrk.format("PUT", "/key/k" .. (first + index * stride), headers, value())
end

function response(status, headers, body)
  received = received + 1
  if status >= 200 and status <= 299 then ok = ok + 1 else non2xx = non2xx + 1 end
  if not finished and received >= quota + extra then mark_finished() end
end

function done(summary, latency, requests)
  local ok_total, non2xx_total, finished_threads = 0, 0, 0
  for _, thread in ipairs(threads) do
    ok_total = ok_total + (thread:get("ok") or 0)
    non2xx_total = non2xx_total + (thread:get("non2xx") or 0)
    if thread:get("finished") then finished_threads = finished_threads + 1 end
  end
  io.write(string.format("load ok=%d non2xx=%d finished_threads=%d/%d\n",
    ok_total, non2xx_total, finished_threads, #threads))
end
LUA
}

load_s=
load_data() { # name
  local dir=$tmp/load wrk_pid markers rc result ok non2xx finished t0 timeout_s
  mkdir -p "$dir"
  write_loader "$dir/load.lua"
  timeout_s=$((size_mib + 300))
  log "loading $keys keys × $value_kib KiB ($(mib "$loaded_bytes") MiB) through node $1 (wrk -t$LOAD_THREADS -c$connections, ≤ ${timeout_s}s)"
  t0=$(now)
  wrk -t"$LOAD_THREADS" -c"$connections" -d"${timeout_s}s" --timeout 30s -s "$dir/load.lua" \
    "$(url "$1" '')" -- "$keys" "$LOAD_THREADS" "$dir" "$value_bytes" >"$dir/wrk.out" 2>&1 </dev/null &
  wrk_pid=$!
  started_pids+=("$wrk_pid")
  while kill -0 "$wrk_pid" 2>/dev/null; do
    markers=$(find "$dir" -maxdepth 1 -name 'done.*' | wc -l)
    if ((markers >= LOAD_THREADS)); then
      kill -INT "$wrk_pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rc=0
  wait "$wrk_pid" || rc=$?
  forget_pid "$wrk_pid"
  load_s=$(elapsed "$t0" "$(now)")
  result=$(grep -m1 '^load ok=' "$dir/wrk.out" || true)
  if [[ $rc -ne 0 || -z $result ]]; then
    cat "$dir/wrk.out" >&2
    die "the load's wrk failed (exit $rc)"
  fi
  ok=$(sed -E 's/.*ok=([0-9]+).*/\1/' <<<"$result")
  non2xx=$(sed -E 's/.*non2xx=([0-9]+).*/\1/' <<<"$result")
  finished=$(sed -E 's/.*finished_threads=([0-9]+)\/.*/\1/' <<<"$result")
  ((finished == LOAD_THREADS)) || die "the load gave up after ${timeout_s}s ($result)"
  ((non2xx == 0 && ok >= keys)) || die "the load failed: $result"
  log "loaded in ${load_s}s ($(rate_mb "$loaded_bytes" "$load_s") of values)"
}

# ---------------------------------------------------------------------------------------------
# The benchmark

ensure_tools
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dynakv-join-bench.XXXXXX")
chmod 755 "$tmp"
prepare_node_cmd

start_node c1
wait_node c1
for n in c2 c3; do
  start_node "$n" "127.0.0.1:${node_port[c1]}"
  wait_node "$n"
done
wait_cluster 3 c1 c2 c3

load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
load_data c1
log "settling ${SETTLE_S}s"
run_child sleep "$SETTLE_S"
declare -A keys_before disk_before
for n in c1 c2 c3; do
  keys_before[$n]=$(stats_field "$n" keys)
  disk_before[$n]=$(stats_field "$n" disk_bytes)
done
log "before the join: keys ${keys_before[c1]}/${keys_before[c2]}/${keys_before[c3]}, disk_bytes $(mib "${disk_before[c1]}")/$(mib "${disk_before[c2]}")/$(mib "${disk_before[c3]}") MiB"

# The join. Times are from just before the launch (bin/dynakv execs the JVM: the PID is the node's).
load_join=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
log "starting node c4, joining through c1 (≤ ${join_wait}s until it holds all its partitions)"
start_node c4 "127.0.0.1:${node_port[c1]}"
t0=${node_launch[c4]}
deadline=$((SECONDS + join_wait))
health_s=
held_s=
last_state=
while ((SECONDS < deadline)); do
  if ! kill -0 "${node_pid[c4]}" 2>/dev/null; then
    show_log "$tmp/c4.log" "node c4"
    die "node c4 exited during the join"
  fi
  if [[ -z $health_s && $(http_status "$(url c4 /health)" --max-time 1) == 200 ]]; then
    health_s=$(elapsed "$t0" "$(now)")
    log "c4 answers /health 200 after ${health_s}s"
  fi
  observed=$(now)
  if [[ -n $health_s ]]; then # the data directory's growth, to tell transfer time from waiting
    printf '%s %s\n' "$(elapsed "$t0" "$observed")" "$(stats_field c4 disk_bytes)" >>"$tmp/c4.progress"
  fi
  read -r streams open parts first_ts done_ts < <(stream_state "$tmp/c4.log")
  state="$streams streams, $parts partitions, open=$open"
  if [[ $state != "$last_state" ]]; then
    log "c4: $state (after $(elapsed "$t0" "$observed")s)"
    last_state=$state
  fi
  if [[ -n $health_s ]] && ((streams > 0 && open == 0)); then
    # Every stream is done; the ring must be the final one (all four list four members up in one
    # epoch), or a later table could still give c4 more partitions.
    read -r a _ u <<<"$(membership_summary c4)"
    if [[ $a == 4 && $u == 4 ]]; then
      done_epoch=$(log_epoch "$done_ts")
      [[ -n $done_epoch ]] || done_epoch=$observed # unparsable timestamp: when it was seen
      held_s=$(elapsed "$t0" "$done_epoch")
      stream_start=$(log_epoch "$first_ts")
      break
    fi
  fi
  sleep "$POLL_S"
done
if [[ -z $held_s ]]; then
  show_log "$tmp/c4.log" "node c4"
  die "node c4 did not hold all its partitions within ${join_wait}s (health after ${health_s:-never}s; $last_state)"
fi
log "c4 holds all its partitions ($parts streamed in) after ${held_s}s"
wait_cluster 4 c1 c2 c3 c4
# Once more: no stream opened since (a later ring would have started one).
read -r streams2 open2 _ _ _ < <(stream_state "$tmp/c4.log")
((open2 == 0)) || die "node c4 started streaming again after it held all its partitions ($streams2 streams)"
stream_s=
[[ -n ${stream_start:-} ]] && stream_s=$(elapsed "$stream_start" "$done_epoch")

partitions_total=$(curl -s --max-time 5 "$(url c4 /membership)" | jq -r '.partitions // "n/a"' 2>/dev/null || echo n/a)
c4_partitions=$(curl -s --max-time 5 "$(url c4 /membership)" | jq -r '[.nodes[] | select(.self) | .partitions][0] // "n/a"' 2>/dev/null || echo n/a)
expected_bytes=$((loaded_bytes * 3 / 4))
share_bytes=$(awk -v b="$loaded_bytes" -v p="$c4_partitions" -v q="$partitions_total" \
  'BEGIN { if (p ~ /^[0-9]+$/ && q ~ /^[0-9]+$/ && q > 0) printf "%.0f", b * p / q; else print "n/a" }')
c4_keys=$(stats_field c4 keys)
c4_disk=$(stats_field c4 disk_bytes)
c4_du=$(du -sb "$tmp/c4" 2>/dev/null | awk '{ print $1 }')
# When c4's disk_bytes (WAL included) first reached 50% and 90% of its size once it held everything.
progress_at() { # fraction -> seconds from launch, n/a
  awk -v f="$1" -v final="$c4_disk" '$2 ~ /^[0-9]+$/ && final ~ /^[0-9]+$/ && $2 >= f * final { print $1; found = 1; exit }
    END { if (!found) print "n/a" }' "$tmp/c4.progress" 2>/dev/null || echo n/a
}
t50=$(progress_at 0.5)
t90=$(progress_at 0.9)
# c4's ring and stream lines, with seconds from its launch.
timeline=$(grep -E 'adopted ring epoch|streaming [0-9]+ partitions in|resuming [0-9]+ partition streams|holds all its partitions|serving: ring epoch' "$tmp/c4.log" |
  while read -r ts _ _ _ rest; do
    e=$(log_epoch "$ts")
    printf '    +%ss  %s\n' "$(fmt %.2f "$(awk -v a="$t0" -v b="${e:-x}" 'BEGIN { if (b ~ /^[0-9.]+$/) print b - a; else print "x" }')")" "${rest#node=* }"
  done)

# The sample: through c4 with the default R, then c4's own copy only.
log "reading $sample random keys through c4"
pick=()
declare -A picked
while ((${#pick[@]} < sample)); do
  k=$(((RANDOM * 32768 + RANDOM) % keys))
  [[ -n ${picked[$k]:-} ]] && continue
  picked[$k]=1
  pick+=("$k")
done
read_codes() { # name query -> one status per picked key (sequential curl run, bounded)
  local cfg=$tmp/sample.curl k
  : >"$cfg"
  for k in "${pick[@]}"; do
    printf 'url = "%s"\noutput = "/dev/null"\n' "$(url "$1" "/key/k$k$2")" >>"$cfg"
  done
  timeout 300 curl -s --max-time 10 -w '%{http_code}\n' -K "$cfg" 2>/dev/null || true
}
mapfile -t codes_r < <(read_codes c4 '')
mapfile -t codes_local < <(read_codes c4 '?local=true')
ok_r=0 ok_local=0 other_local=0
local_keys=()
for ((i = 0; i < sample; i++)); do
  [[ ${codes_r[i]:-000} == 200 ]] && ok_r=$((ok_r + 1))
  case ${codes_local[i]:-000} in
    200) ok_local=$((ok_local + 1)); local_keys+=("${pick[i]}") ;;
    404) ;;
    *) other_local=$((other_local + 1)) ;;
  esac
done
# Bytes: c4's own copy against a quorum read through c1, for a few of its keys.
same=0 compared=0
for k in "${local_keys[@]:0:$CHECK_KEYS}"; do
  a=$(curl -s --max-time 10 -H 'Accept: application/octet-stream' "$(url c4 "/key/k$k?local=true")" | md5sum | cut -d' ' -f1)
  b=$(curl -s --max-time 10 -H 'Accept: application/octet-stream' "$(url c1 "/key/k$k")" | md5sum | cut -d' ' -f1)
  compared=$((compared + 1))
  [[ $a == "$b" ]] && same=$((same + 1))
done
log "sample: $ok_r/$sample answer 200 through c4; $ok_local/$sample held by c4 itself; $same/$compared identical to a read through c1"

declare -A du_after
for n in c1 c2 c3 c4; do
  du_after[$n]=$(du -sb "$tmp/$n" 2>/dev/null | awk '{ print $1 }')
done

report=$tmp/report.md
verdict() { awk -v v="$1" -v l="$2" 'BEGIN { if (!(v ~ /^[0-9.]+$/)) printf "n/a"; else printf (v + 0 <= l + 0 ? "yes" : "**no**") }'; }
{
  echo "## DynaKV: a node joining 3 nodes takes over $(mib "$expected_bytes") MiB"
  echo
  environment_lines
  echo "- 3 nodes, default flags (replication factor 3, R=W=2, --fsync always, $partitions_total partitions); JVM options: ${DYNAKV_JAVA_OPTS-defaults of bin/dynakv}"
  echo "- loaded through one node: $keys keys × $value_kib KiB random raw values (\`application/octet-stream\`) = $(mib "$loaded_bytes") MiB, in ${load_s} s ($(rate_mb "$loaded_bytes" "$load_s")); wrk -t$LOAD_THREADS -c$connections"
  echo "- then a 4th node started with \`bin/dynakv 127.0.0.1:P4 127.0.0.1:P1 --peer-port Q4 --data-dir D4\`; times from just before its launch (JVM start included)"
  echo
  echo "| measure | value | target | met |"
  echo "|---|---:|---|---|"
  echo "| launch → \`GET /health\` 200 | ${health_s} s | | |"
  echo "| launch → log \"holds all its partitions\" (serving every partition) | **${held_s} s** | ≤ ${TARGET_S} s | $(verdict "$held_s" "$TARGET_S") |"
  echo "| first \"streaming N partitions in\" → \"holds all\" | ${stream_s:-n/a} s | | |"
  echo "| partitions streamed in (per \"streaming N partitions in\" line) | $parts (it holds $c4_partitions of $partitions_total) | | |"
  echo "| data taken over, expected (3/4 of the values) | $(mib "$expected_bytes") MiB ($(awk -v b="$expected_bytes" 'BEGIN { printf "%.2f", b / 1073741824 }') GiB) | ≥ 1 GiB | $(awk -v b="$expected_bytes" 'BEGIN { printf (b >= 1073741824 ? "yes" : "**no**") }') |"
  echo "| data taken over, by its partition share ($c4_partitions/$partitions_total of the values) | $(mib "$share_bytes") MiB | | |"
  echo "| new node's \`/stats\` after: keys, disk_bytes | $c4_keys keys (expected ~$((keys * 3 / 4))), $(mib "$c4_disk") MiB | | |"
  echo "| new node's data directory (du, WAL included) | $(mib "$c4_du") MiB | | |"
  echo "| **rate**: expected bytes ÷ launch → holds all | **$(rate_mb "$expected_bytes" "$held_s")** | | |"
  echo "| rate: expected bytes ÷ streaming time | $(rate_mb "$expected_bytes" "${stream_s:-x}") | | |"
  echo "| launch → its \`disk_bytes\` at 50% / 90% of the final size (sampled each poll) | $t50 s / $t90 s | | |"
  echo "| rate: expected bytes × 0.9 ÷ launch → 90% | $(rate_mb "$(awk -v b="$expected_bytes" 'BEGIN { printf "%.0f", b * 0.9 }')" "$t90") | | |"
  echo "| $sample random keys read through the new node (default R) | $ok_r answer 200 | all | $( ((ok_r == sample)) && echo yes || echo '**no**') |"
  echo "| the same keys with \`?local=true\` on the new node | $ok_local held (expected ~$((sample * 3 / 4))), $other_local neither 200 nor 404 | ~3/4 | |"
  echo "| its copy vs a read through node 1, bytes identical | $same of $compared | all | $( ((same == compared && compared > 0)) && echo yes || echo '**no**') |"
  echo
  echo "Old nodes before the join: \`keys\` ${keys_before[c1]} / ${keys_before[c2]} / ${keys_before[c3]}, \`disk_bytes\` $(mib "${disk_before[c1]}") / $(mib "${disk_before[c2]}") / $(mib "${disk_before[c3]}") MiB. Data directories after (du): $(mib "${du_after[c1]}") / $(mib "${du_after[c2]}") / $(mib "${du_after[c3]}") / $(mib "${du_after[c4]}") MiB. (\`keys\` is RocksDB's estimate; \`disk_bytes\` counts the write-ahead log too.)"
  echo
  echo "The new node's log (seconds from its launch):"
  echo
  echo "$timeline"
} >"$report"

stop_pids "$STOP_WAIT_S" "${node_pid[c1]}" "${node_pid[c2]}" "${node_pid[c3]}" "${node_pid[c4]}"
for word in $stop_statuses; do
  [[ ${word#*:} == 0 ]] || log "warning: a DynaKV node (pid ${word%%:*}) ended with status ${word#*:} on SIGTERM"
done
emit_report "$report"
((ok_r == sample)) || log "warning: $((sample - ok_r)) sampled keys did not answer 200 through the new node"
