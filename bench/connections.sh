#!/usr/bin/env bash
# Issue 4 item 7, connections (see bench/README.md): one node started by bin/dynakv with its default
# JVM options holds many concurrent keep-alive connections, most idle, some active.
#
#   bench/connections.sh [--connections N] [--active N] [--seconds S] [--out FILE]
#
# Runs dynakv-it's ConnectionLoad as a single-file Java program (JDK only): it opens every
# connection (each answers GET /health), then the active ones send PUT/GET back to back for S
# seconds while the rest stay idle, then every connection must answer GET /health again; meanwhile
# it times GET /health on fresh connections and samples the node's RSS. Prints a markdown report;
# exits 1 on any error.
#   --connections N   connections in all [BENCH_CONNECTIONS=10000]
#   --active N        of which active [BENCH_ACTIVE=300]
#   --seconds S       load duration [BENCH_SECONDS=60]
#   --out FILE        also write the report to FILE [BENCH_OUT]
set -euo pipefail

bench_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$bench_dir/.." && pwd -P)
script_name=connections
source "$bench_dir/lib.sh"

connections=${BENCH_CONNECTIONS:-10000}
active=${BENCH_ACTIVE:-300}
seconds=${BENCH_SECONDS:-60}
out=${BENCH_OUT:-}
while [[ $# -gt 0 ]]; do
  case $1 in
    --connections) connections=$2; shift 2 ;;
    --active) active=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) sed -n '2,18s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done

# The node and the load each need a descriptor per connection, plus their own files.
needed=$((connections + 2048))
if (($(ulimit -Hn) < needed)); then ulimit -Hn "$needed" 2>/dev/null || die "ulimit -Hn $needed refused (run as root)"; fi
ulimit -Sn "$(ulimit -Hn)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dynakv-connections.XXXXXX")
trap cleanup EXIT INT TERM
prepare_node_cmd "$root"
unset DYNAKV_JAVA_OPTS # bin/dynakv's defaults: -Xmx512m, MaxDirectMemorySize=128m
start_node n1
wait_health n1 120
pid=${node_pid[n1]}
rss_before=$(rss_mib "$pid")
log "node pid $pid on 127.0.0.1:${node_port[n1]}, RSS $rss_before MiB; $connections connections ($active active) for $seconds s"
rc=0
result=$(java "$root/dynakv-it/src/test/java/io/dynakv/it/ConnectionLoad.java" \
  "127.0.0.1:${node_port[n1]}" "$connections" "$active" "$seconds" "$pid") || rc=$?
rss_after=$(rss_mib "$pid")
hwm=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$result"; }

report=$(cat <<REPORT
### One node, $connections connections ($(date -u +%F))

Machine: $(nproc) cores (shared), load average at the end $(cut -d' ' -f1-3 /proc/loadavg); node: \`bin/dynakv\` defaults (\`-Xmx512m -XX:MaxDirectMemorySize=128m\`, \`--fsync always\`).

| figure | value |
|---|---|
| connections opened (each answered GET /health) | $(field opened) of $connections, in $(field open_seconds) s |
| active (PUT/GET back to back, 10,000 keys) | $active, for $seconds s |
| requests of the active connections | $(field requests) |
| latency p50 / p99 / max (ms) | $(field p50_ms) / $(field p99_ms) / $(field max_ms) |
| errors (refused, reset, closed, unexpected status) | $(field errors) |
| connections answering GET /health at the end | $(field answered_at_end) of $connections |
| GET /health on a fresh connection during the run | $(field health_probes) probes, slowest $(field health_max_ms) ms |
| node RSS before / peak sampled / after (MiB) | $rss_before / $(field rss_max_mib) / $rss_after (VmHWM $hwm) |
| ConnectionLoad exit | $rc |
REPORT
)
echo "$report"
[[ -z $out ]] || echo "$report" >"$out"
((rc == 0)) || log "ConnectionLoad: $result"
exit "$rc"
