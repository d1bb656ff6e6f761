#!/usr/bin/env bash
# Issue 4 item 7, soak (see bench/README.md): a 3-node cluster of real bin/dynakv processes under
# sustained wrk load, one node killed (kill -9 by PID) and restarted every minute in rotation.
#
#   bench/soak.sh [--minutes N] [--connections N] [--out FILE]
#
# Minute m: the victim is node (m mod 3)+1. wrk runs for the whole minute against the two others
# (put.lua at one, get.lua at the other, --connections each); the victim is killed at +20 s and
# started again at +35 s (same data directory, no join address). Per minute it records wrk's
# p50/p99/max, requests/s, socket errors and non-2xx, and the victim's restart-to-health time.
# Beside the load, a checker writes unique keys ck-<i> one at a time, each through a node in
# rotation, and records every 201; at the end (all nodes up, hints replayed) every one must read
# back with its value through a batch get on each node. Prints a markdown report; exits 1 when an
# acknowledged checker write is missing or wrong, or a node fails to start.
#   --minutes N      duration (one kill per minute)  [BENCH_MINUTES=10]
#   --connections N  wrk connections per process     [BENCH_CONNECTIONS=16]
#   --keys N         wrk keyspace, preloaded         [BENCH_KEYS=20000]
#   --out FILE       also write the report to FILE   [BENCH_OUT]
set -euo pipefail

bench_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$bench_dir/.." && pwd -P)
script_name=soak
source "$bench_dir/lib.sh"

minutes=${BENCH_MINUTES:-10}
connections=${BENCH_CONNECTIONS:-16}
keys=${BENCH_KEYS:-20000}
out=${BENCH_OUT:-}
while [[ $# -gt 0 ]]; do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --keys) keys=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) sed -n '2,20s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done

KILL_AT_S=20           # seconds into the minute
RESTART_AT_S=35
START_WAIT_S=120       # bound on a node's start
SETTLE_WAIT_S=120      # bound on hints being replayed at the end
CHECKER_PAUSE_S=0.05   # between checker writes
CHECKER_MAX=100000     # bound on checker writes

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dynakv-soak.XXXXXX")
trap cleanup EXIT INT TERM
command -v wrk >/dev/null && command -v jq >/dev/null || die "needs wrk and jq (apt-get install wrk jq)"
prepare_node_cmd "$root"
unset DYNAKV_JAVA_OPTS

names=(n1 n2 n3)
start_node n1
wait_health n1 "$START_WAIT_S"
start_node n2 "127.0.0.1:${node_port[n1]}"
start_node n3 "127.0.0.1:${node_port[n1]}"
wait_health n2 "$START_WAIT_S"
wait_health n3 "$START_WAIT_S"
for ((i = 0; i < 600; i++)); do
  ready=0
  for n in "${names[@]}"; do
    c=$(curl -s --max-time 2 "http://127.0.0.1:${node_port[$n]}/membership" | jq -r '.active_count' 2>/dev/null || true)
    [[ $c == 3 ]] && ready=$((ready + 1))
  done
  ((ready == 3)) && break
  sleep 0.1
done
((ready == 3)) || die "the three nodes did not all list three members within 60 s"
log "cluster up: n1 :${node_port[n1]} n2 :${node_port[n2]} n3 :${node_port[n3]}"
"$bench_dir/preload.sh" "127.0.0.1:${node_port[n1]}" "$keys" >"$tmp/preload.log" 2>&1 || { cat "$tmp/preload.log" >&2; die "preload failed"; }

# The checker: one PUT at a time, each through the next node; a 201 is an acknowledged write.
checker() {
  local i status n
  for ((i = 0; i < CHECKER_MAX; i++)); do
    [[ -e $tmp/checker.stop ]] && break
    n=${names[i % 3]}
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X PUT \
      -H 'Content-Type: application/json' -d "{\"value\":\"ck-$i\"}" \
      "http://127.0.0.1:${node_port[$n]}/key/ck-$i" 2>/dev/null || true)
    if [[ $status == 201 ]]; then echo "ck-$i" >>"$tmp/acked"; else echo "ck-$i $status" >>"$tmp/unacked"; fi
    sleep "$CHECKER_PAUSE_S"
  done
}
: >"$tmp/acked"
: >"$tmp/unacked"
checker &
checker_pid=$!
started_pids+=("$checker_pid")

parse_wrk() { # file -> "rps p50 p99 max errors non2xx" (ms)
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }
    /^    Latency/ { max = ms($4) }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /^Requests\/sec/ { rps = $2 }
    /Socket errors/ { gsub(",", ""); errs = $4 + $6 + $8 + $10 }
    /^errors non2xx=/ { split($2, a, "="); non2xx = a[2] }
    END { printf "%.0f %.2f %.2f %.1f %d %d\n", rps, p50, p99, max, errs, non2xx }' "$1"
}

rows=()
for ((m = 0; m < minutes; m++)); do
  victim=${names[m % 3]}
  others=()
  for n in "${names[@]}"; do [[ $n == "$victim" ]] || others+=("$n"); done
  minute_start=$(now)
  wrk -t1 -c"$connections" -d60s --latency --timeout 10s -s "$bench_dir/put.lua" \
    "http://127.0.0.1:${node_port[${others[0]}]}" -- "$keys" >"$tmp/put-$m.txt" 2>&1 &
  put_pid=$!
  wrk -t1 -c"$connections" -d60s --latency --timeout 10s -s "$bench_dir/get.lua" \
    "http://127.0.0.1:${node_port[${others[1]}]}" -- "$keys" >"$tmp/get-$m.txt" 2>&1 &
  get_pid=$!
  started_pids+=("$put_pid" "$get_pid")
  sleep "$KILL_AT_S"
  kill -KILL "${node_pid[$victim]}"
  wait "${node_pid[$victim]}" 2>/dev/null || true
  forget_pid "${node_pid[$victim]}"
  log "minute $m: killed $victim (pid ${node_pid[$victim]})"
  sleep $((RESTART_AT_S - KILL_AT_S))
  restart=$(now)
  start_node "$victim"
  wait_health "$victim" "$START_WAIT_S"
  up_s=$(elapsed "$restart" "$(now)")
  for pid in "$put_pid" "$get_pid"; do
    for ((i = 0; i < 300 && $(kill -0 "$pid" 2>/dev/null && echo 1 || echo 0); i++)); do sleep 0.1; done
    stop_pids 5 "$pid"
  done
  read -r put_rps put_p50 put_p99 put_max put_err put_non2xx < <(parse_wrk "$tmp/put-$m.txt")
  read -r get_rps get_p50 get_p99 get_max get_err get_non2xx < <(parse_wrk "$tmp/get-$m.txt")
  rows+=("| $((m + 1)) | $victim | $up_s | $put_rps | $put_p50 | $put_p99 | $put_max | $put_err | $put_non2xx | $get_rps | $get_p50 | $get_p99 | $get_max | $get_err | $get_non2xx | $(rss_mib "${node_pid[${others[0]}]}") |")
  log "minute $((m + 1)): ${rows[-1]}"
  # The next minute starts on the minute, whatever the restart took.
  rest=$(awk -v s="$minute_start" -v n="$(now)" 'BEGIN { r = 60 - (n - s); print (r > 0 ? r : 0) }')
  sleep "$rest"
done

touch "$tmp/checker.stop"
for ((i = 0; i < 100 && $(kill -0 "$checker_pid" 2>/dev/null && echo 1 || echo 0); i++)); do sleep 0.1; done
stop_pids 5 "$checker_pid"
settle=$(now)
for ((i = 0; i < SETTLE_WAIT_S * 2; i++)); do
  pending=0
  for n in "${names[@]}"; do
    h=$(curl -s --max-time 2 "http://127.0.0.1:${node_port[$n]}/stats" | jq -r '.pending_hints' 2>/dev/null || echo 1)
    [[ $h == 0 ]] || pending=1
  done
  ((pending == 0)) && break
  sleep 0.5
done
settle_s=$(elapsed "$settle" "$(now)")

# Read every acknowledged checker write back through each node (batch get, 1000 keys a request).
acked=$(wc -l <"$tmp/acked")
unacked=$(wc -l <"$tmp/unacked")
bad_total=0
checks=()
for n in "${names[@]}"; do
  bad=0
  split -l 1000 "$tmp/acked" "$tmp/batch-$n-"
  for f in "$tmp/batch-$n-"*; do
    body=$(jq -R . "$f" | jq -sc '{keys: .}')
    answer=$(curl -s --max-time 30 -X POST -H 'Content-Type: application/json' -d "$body" \
      "http://127.0.0.1:${node_port[$n]}/default/keys")
    wrong=$(jq -r '([.items[] | select(.value != .key)] | length) + (.missing | length)' <<<"$answer" 2>/dev/null || echo "$(wc -l <"$f")")
    bad=$((bad + wrong))
  done
  checks+=("$n: $bad")
  bad_total=$((bad_total + bad))
done

report=$(cat <<REPORT
### 3-node soak, $minutes minutes, a node killed and restarted every minute ($(date -u +%F))

Machine: $(nproc) cores, **shared** with other work (load average at the end $(cut -d' ' -f1-3 /proc/loadavg));
nodes: \`bin/dynakv\` defaults (N=3, R=W=2, \`--fsync always\`, \`-Xmx512m\`). Load per minute: one
\`wrk -t1 -c$connections\` of put.lua and one of get.lua ($keys preloaded keys), each at one of the two nodes
that are not killed that minute; the victim is killed (\`kill -9\`) at +${KILL_AT_S} s and restarted at +${RESTART_AT_S} s.
Latencies in ms (wrk's, whole minute, so they include the kill and the restart); errors = socket errors
(connect, read, write, timeout); RSS of the PUT target at the end of the minute.

| min | killed | restart → health (s) | PUT req/s | p50 | p99 | max | errors | non-2xx | GET req/s | p50 | p99 | max | errors | non-2xx | RSS MiB |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")

Checker: $((acked + unacked)) writes, $acked acknowledged (201), $unacked not (refused while a node was down,
or a timeout); hints replayed $settle_s s after the last minute; acknowledged writes missing or wrong when read
back through each node: ${checks[*]} (total $bad_total).
REPORT
)
echo "$report"
[[ -z $out ]] || echo "$report" >"$out"
((bad_total == 0)) || die "$bad_total acknowledged checker writes missing or wrong"
