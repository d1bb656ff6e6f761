#!/usr/bin/env bash
# DynaKV membership benchmark (see bench/README.md). Runs from any directory.
#
#   bench/membership.sh [options]
#
# Targets: "a crash detected by every node within 10 s; a join visible everywhere within 5 s".
# Starts five nodes (default gossip interval unless --gossip-interval-ms), then in every run:
#   (a) join:    starts a 6th node (joining through node 1, with --leave-on-shutdown) and polls every
#                node's GET /membership each 100 ms until all list it "up": seconds from its process
#                start, and from its own GET /health answering 200;
#   (b) crash:   kill -9 of one of nodes 2-5; seconds until every other node lists it "down";
#   (d) restart: the killed node again, same data directory and ports; seconds from its launch
#                until every other node lists it "up" (and until its own /health is 200);
#   (c) pause:   SIGSTOP of another of nodes 2-5; seconds until every other node lists it "down";
#                then SIGCONT, and seconds until every other node lists it "up" again;
#   then the 6th node is stopped (SIGTERM: it leaves) and the seconds until every other node lists
#   it "left" (or no longer lists it) are reported too; the run ends when the five all list five
#   members up. Reports every run, medians and maxima, against the targets.
# Every wait is bounded (60 s); a wait that runs out is reported as "timeout" and counts as a miss.
#
# Options (each also settable by the environment variable in brackets):
#   --runs N                 runs; medians and maxima are over them              [BENCH_RUNS=3]
#   --gossip-interval-ms MS  passed to every node (default: the node's default)  [BENCH_GOSSIP_INTERVAL_MS]
#   --out FILE               also write the markdown report to FILE              [BENCH_OUT]
#   -h, --help               this text
# Other environment: BENCH_NODE_CMD (command that starts a node, default a snapshot of bin/dynakv
#   and its jar, as bench/join.sh), BENCH_KEEP_TMP=1 (keep the temporary directory with the logs),
#   DYNAKV_JAVA_OPTS (passed to the nodes, reported; other DYNAKV_* variables are cleared).
#
# Installs curl and jq with apt-get when missing (as root, or with sudo -n).
# Every process it starts is stopped by its PID on exit (a paused one is resumed first);
# temporary directories are removed.
set -euo pipefail

bench_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$bench_dir/.." && pwd -P)

runs=${BENCH_RUNS:-3}
gossip_ms=${BENCH_GOSSIP_INTERVAL_MS:-}
out=${BENCH_OUT:-}
node_cmd=${BENCH_NODE_CMD:-}

# Fixed settings.
NODES=5                  # the cluster; the joiner is the 6th
HEALTH_WAIT_S=120        # bound on the start of each of the five nodes
WAIT_S=60                # bound on every measured wait, and on the cluster settling between runs
STOP_WAIT_S=60           # bound on the clean shutdown of everything after SIGTERM
POLL_S=0.1               # poll period of the views
VIEW_TIMEOUT_S=1         # one GET /membership may take this long (a slow answer makes a time coarse)
JOIN_TARGET_S=5
CRASH_TARGET_S=10

usage() { sed -n '2,32s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
log() { printf '[membership] %s\n' "$*" >&2; }
die() { printf 'membership: %s\n' "$*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
  arg=$1
  value=
  if [[ $arg == --*=* ]]; then
    value=${arg#*=}
    arg=${arg%%=*}
  fi
  case $arg in
    --runs | --gossip-interval-ms | --out)
      if [[ -z $value ]]; then
        [[ $# -ge 2 ]] || die "$arg needs a value"
        value=$2
        shift
      fi
      case $arg in
        --runs) runs=$value ;;
        --gossip-interval-ms) gossip_ms=$value ;;
        --out) out=$value ;;
      esac
      ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done

[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer, got '$runs'"
((runs <= 100)) || die "--runs must be at most 100"
[[ -z $gossip_ms || $gossip_ms =~ ^[1-9][0-9]*$ ]] || die "--gossip-interval-ms must be a positive integer, got '$gossip_ms'"
node_flags=()
[[ -z $gossip_ms ]] || node_flags+=(--gossip-interval-ms "$gossip_ms")

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
  for t in curl jq; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  if ((${#missing[@]} > 0)); then
    log "installing ${missing[*]} with apt-get"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" </dev/null >&2
  fi
  for t in curl jq; do
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

# Stops the given PIDs together: SIGCONT (one may be paused) and SIGTERM to all, a bounded wait,
# then SIGKILL to the rest. Sets stop_statuses to "pid:status" words ("killed" after SIGKILL).
stop_statuses=
stop_pids() { # wait_seconds pid...
  local wait_s=$1 pid i alive rc
  shift
  stop_statuses=
  for pid in "$@"; do
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
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

median() { # values... (non-numbers ignored) -> median, "n/a" when none
  printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "n/a"; exit }
    if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
maximum() { # values... -> the largest, "timeout" when any is not a number
  local v m=
  for v in "$@"; do
    [[ $v =~ ^[0-9.]+$ ]] || { echo timeout; return; }
    if [[ -z $m ]] || awk -v a="$v" -v b="$m" 'BEGIN { exit !(a > b) }'; then m=$v; fi
  done
  echo "${m:-n/a}"
}
met() { # value limit -> yes / **no**
  awk -v v="$1" -v l="$2" 'BEGIN { if (v ~ /^[0-9.]+$/ && v + 0 <= l + 0) printf "yes"; else printf "**no**" }'
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
  echo "- load average: $load_before when the runs began, $load_after when they ended (other work on the machine shares its cores)"
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

# A node keeps its ports and data directory across restarts (chosen at its first start).
declare -A node_pid node_port node_peer_port node_launch
start_node() { # name [join host:port] [extra flags...]; data in $tmp/<name>, log in $tmp/<name>.log
  local name=$1 join=${2:-}
  shift $(($# >= 2 ? 2 : 1))
  [[ -n ${node_port[$name]:-} ]] || node_port[$name]=$(free_port)
  [[ -n ${node_peer_port[$name]:-} ]] || node_peer_port[$name]=$(free_port)
  mkdir -p "$tmp/$name"
  local args=("127.0.0.1:${node_port[$name]}")
  [[ -z $join ]] || args+=("$join")
  args+=(--peer-port "${node_peer_port[$name]}" --data-dir "$tmp/$name" ${node_flags[@]+"${node_flags[@]}"} "$@")
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
addr() { echo "127.0.0.1:${node_port[$1]}"; }

# One round of views: every named node's GET /membership at once (one curl --parallel), and the
# status each gives the node at address `target` ("absent" when not listed, "noanswer" when the node
# did not answer). Sets view_statuses (words, in the order of the names) and view_line (for logs).
view_statuses=()
view_line=
poll_views() { # target_address name...
  local target=$1 n args=() out
  shift
  for n in "$@"; do
    rm -f -- "$tmp/view.$n"
    args+=(-o "$tmp/view.$n" "$(url "$n" /membership)")
  done
  curl -s --parallel --parallel-immediate --max-time "$VIEW_TIMEOUT_S" "${args[@]}" 2>/dev/null || true
  out=$(for n in "$@"; do
    if [[ -s $tmp/view.$n ]]; then cat -- "$tmp/view.$n"; else printf '{"nodes":null}'; fi
    echo
  done | jq -r --arg a "$target" \
    'if .nodes == null then "noanswer" else ([.nodes[] | select(.address == $a) | .status][0] // "absent") end' \
    2>/dev/null) || out=
  view_statuses=()
  view_line=
  local i=0 s
  for n in "$@"; do
    s=$(sed -n "$((i + 1))p" <<<"$out")
    view_statuses+=("${s:-error}")
    view_line+=" $n=${s:-error}"
    i=$((i + 1))
  done
}

# Polls every POLL_S until every named node gives `target` a status matching `want` (an ERE), for
# at most WAIT_S. Prints the seconds from t0 to the end of the first round where all matched (the
# poll's resolution is one round, about POLL_S), or "timeout".
# Optionally also watches a node's own /health: health_node, and sets health_s (seconds from t0).
health_node=
health_s=
poll_rounds=0        # rounds and their total seconds, for the report's resolution line
poll_seconds=0
wait_views() { # t0 target want name...
  local t0=$1 target=$2 want=$3 deadline s all r0
  shift 3
  deadline=$((SECONDS + WAIT_S))
  while ((SECONDS < deadline)); do
    r0=$(now)
    if [[ -n $health_node && -z $health_s ]] &&
      [[ $(http_status "$(url "$health_node" /health)" --max-time "$VIEW_TIMEOUT_S") == 200 ]]; then
      health_s=$(elapsed "$t0" "$(now)")
    fi
    poll_views "$target" "$@"
    poll_rounds=$((poll_rounds + 1))
    poll_seconds=$(awk -v t="$poll_seconds" -v a="$r0" -v b="$(now)" 'BEGIN { printf "%.3f", t + b - a }')
    all=1
    for s in "${view_statuses[@]}"; do
      [[ $s =~ ^($want)$ ]] || { all=0; break; }
    done
    if ((all)) && [[ -z $health_node || -n $health_s ]]; then
      waited_s=$(elapsed "$t0" "$(now)")
      return 0
    fi
    sleep "$POLL_S"
  done
  waited_s=timeout
  log "timeout (${WAIT_S}s) waiting for $target to be '$want' everywhere; last views:$view_line"
  return 0
}
waited_s=

# Waits (≤ WAIT_S) until every named node lists exactly `count` members up and reports
# active_count `count`: the cluster is back to normal between runs.
wait_cluster() { # count name...
  local count=$1 deadline n s last ok
  shift
  deadline=$((SECONDS + WAIT_S))
  while :; do
    ok=1
    last=
    for n in "$@"; do
      kill -0 "${node_pid[$n]}" 2>/dev/null || { show_log "$tmp/$n.log" "node $n"; die "DynaKV node $n exited"; }
      s=$(curl -s --max-time 2 "$(url "$n" /membership)" 2>/dev/null |
        jq -r '"\(.active_count) \([.nodes[] | select(.status == "up")] | length)"' 2>/dev/null || echo "? ?")
      last+=" $n=[$s]"
      [[ $s == "$count $count" ]] || ok=0
    done
    ((ok)) && break
    if ((SECONDS >= deadline)); then
      for n in "$@"; do show_log "$tmp/$n.log" "node $n"; done
      die "the nodes did not all list $count members up within ${WAIT_S}s (active_count up:$last)"
    fi
    sleep 0.5
  done
  log "cluster of $count ready (active_count up:$last)"
}

# ---------------------------------------------------------------------------------------------
# The benchmark

ensure_tools
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dynakv-membership-bench.XXXXXX")
chmod 755 "$tmp"
prepare_node_cmd

members=()
for ((i = 1; i <= NODES; i++)); do members+=("m$i"); done
start_node m1
wait_node m1
for n in "${members[@]:1}"; do
  start_node "$n" "$(addr m1)"
  wait_node "$n"
done
wait_cluster "$NODES" "${members[@]}"

others() { # name... -> the members and the current joiner, but the named ones
  local n x skip
  for n in "${members[@]}" ${joiner:+"$joiner"}; do
    skip=0
    for x in "$@"; do [[ $n == "$x" ]] && skip=1; done
    ((skip)) || printf '%s ' "$n"
  done
}

declare -A res
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
for ((r = 1; r <= runs; r++)); do
  log "run $r/$runs"
  crashed=m$(((r - 1) % (NODES - 1) + 2)) # nodes 2..5 in turn (node 1 is the one joins go through)
  paused=m$((r % (NODES - 1) + 2))        # another of them

  # (a) join: every node, the joiner included, lists the joiner up.
  joiner=j$r
  start_node "$joiner" "$(addr m1)" --leave-on-shutdown
  health_node=$joiner health_s=
  # shellcheck disable=SC2046 # names are single words
  wait_views "${node_launch[$joiner]}" "$(addr "$joiner")" up $(others)
  res[join,$r]=$waited_s
  res[join_health,$r]=n/a
  if [[ $waited_s != timeout && -n $health_s ]]; then
    res[join_health,$r]=$(awk -v a="$waited_s" -v b="$health_s" 'BEGIN { printf "%.2f", a - b }')
  fi
  log "  join of $joiner visible everywhere ${res[join,$r]}s after its launch (its /health 200 after ${health_s:-?}s)"
  health_node=
  [[ $waited_s != timeout ]] || wait_cluster $((NODES + 1)) "${members[@]}" "$joiner"

  # (b) crash
  kill -KILL "${node_pid[$crashed]}"
  t0=$(now)
  wait "${node_pid[$crashed]}" 2>/dev/null || true
  forget_pid "${node_pid[$crashed]}"
  # shellcheck disable=SC2046
  wait_views "$t0" "$(addr "$crashed")" down $(others "$crashed")
  res[crash,$r]=$waited_s
  log "  kill -9 of $crashed: down everywhere after ${res[crash,$r]}s"

  # (d) restart of the crashed node: same ports and data directory
  start_node "$crashed" "$(addr m1)"
  health_node=$crashed health_s=
  # shellcheck disable=SC2046
  wait_views "${node_launch[$crashed]}" "$(addr "$crashed")" up $(others "$crashed")
  res[restart,$r]=$waited_s
  res[restart_health,$r]=${health_s:-n/a}
  health_node=
  log "  restart of $crashed: up everywhere ${res[restart,$r]}s after its launch (its /health 200 after ${health_s:-?}s)"
  wait_cluster $((NODES + 1)) "${members[@]}" "$joiner"

  # (c) pause and resume
  kill -STOP "${node_pid[$paused]}"
  t0=$(now)
  # shellcheck disable=SC2046
  wait_views "$t0" "$(addr "$paused")" down $(others "$paused")
  res[pause,$r]=$waited_s
  kill -CONT "${node_pid[$paused]}"
  t0=$(now)
  # shellcheck disable=SC2046
  wait_views "$t0" "$(addr "$paused")" up $(others "$paused")
  res[resume,$r]=$waited_s
  log "  SIGSTOP of $paused: down everywhere after ${res[pause,$r]}s; after SIGCONT up everywhere after ${res[resume,$r]}s"
  wait_cluster $((NODES + 1)) "${members[@]}" "$joiner"

  # The joiner leaves (SIGTERM with --leave-on-shutdown), so every run starts from five nodes.
  leaving_pid=${node_pid[$joiner]}
  kill -TERM "$leaving_pid"
  t0=$(now)
  gone=$joiner
  joiner=
  # shellcheck disable=SC2046
  wait_views "$t0" "$(addr "$gone")" 'left|absent' $(others)
  res[leave,$r]=$waited_s
  stop_pids "$STOP_WAIT_S" "$leaving_pid"
  res[leave_exit,$r]=${stop_statuses##*:}
  log "  $gone left: listed left everywhere after ${res[leave,$r]}s (exit status ${res[leave_exit,$r]})"
  wait_cluster "$NODES" "${members[@]}"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

measures=(join join_health crash restart restart_health pause resume leave)
label_of() {
  case $1 in
    join) echo "join: launch → every node lists it up" ;;
    join_health) echo "join: its /health 200 → every node lists it up" ;;
    crash) echo "kill -9 → every other node lists it down" ;;
    restart) echo "restart of the killed node: launch → every other node lists it up" ;;
    restart_health) echo "restart: launch → its own /health 200" ;;
    pause) echo "SIGSTOP → every other node lists it down" ;;
    resume) echo "SIGCONT → every other node lists it up" ;;
    leave) echo "SIGTERM of the joiner (--leave-on-shutdown) → every other node lists it left" ;;
  esac
}
target_of() {
  case $1 in
    join | join_health) echo "$JOIN_TARGET_S" ;;
    crash) echo "$CRASH_TARGET_S" ;;
    *) echo "" ;;
  esac
}

report=$tmp/report.md
{
  echo "## DynaKV membership: join and failure detection, $NODES nodes"
  echo
  environment_lines
  echo "- $NODES nodes on loopback, default flags$([[ -n $gossip_ms ]] && echo ", --gossip-interval-ms $gossip_ms" || echo " (gossip interval: the node's default)"); JVM options: ${DYNAKV_JAVA_OPTS-defaults of bin/dynakv}"
  echo "- each view is every node's \`GET /membership\` fetched at once (curl --parallel, ≤ ${VIEW_TIMEOUT_S} s), every ${POLL_S} s: times are to the end of the first round where every node agreed, so the resolution is one round plus the pause: a round took $(awk -v t="$poll_seconds" -v n="$poll_rounds" 'BEGIN { if (n > 0) printf "%.3f", t / n; else printf "n/a" }') s on average ($poll_rounds rounds); every wait ≤ ${WAIT_S} s"
  echo "- per run: a 6th node joins through node 1; kill -9 of one of nodes 2-5, then its restart (same data directory and ports); SIGSTOP/SIGCONT of another; the 6th node then leaves"
  echo
  printf '| run | join from launch | join from its /health | crash → down | restart → up | restart → own /health | pause → down | resume → up | leave → left |\n'
  printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
  for ((r = 1; r <= runs; r++)); do
    printf '| %s |' "$r"
    for m in "${measures[@]}"; do printf ' %s |' "${res[$m,$r]}"; done
    printf '\n'
  done
  echo
  echo "Seconds, over $runs runs:"
  echo
  echo "| measure | median | max | target | met (every run) |"
  echo "|---|---:|---:|---|---|"
  for m in "${measures[@]}"; do
    vals=()
    for ((r = 1; r <= runs; r++)); do vals+=("${res[$m,$r]}"); done
    med=$(median "${vals[@]}")
    mx=$(maximum "${vals[@]}")
    tgt=$(target_of "$m")
    if [[ -n $tgt ]]; then
      echo "| $(label_of "$m") | **$med** | **$mx** | ≤ $tgt s | $(met "$mx" "$tgt") |"
    else
      echo "| $(label_of "$m") | $med | $mx | | |"
    fi
  done
} >"$report"

node_pids=()
for n in "${members[@]}"; do node_pids+=("${node_pid[$n]}"); done
stop_pids "$STOP_WAIT_S" "${node_pids[@]}"
for word in $stop_statuses; do
  [[ ${word#*:} == 0 ]] || log "warning: a DynaKV node (pid ${word%%:*}) ended with status ${word#*:} on SIGTERM"
done
emit_report "$report"
