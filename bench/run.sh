#!/usr/bin/env bash
# DynaKV benchmark harness (see bench/README.md). Runs from any directory.
#
#   bench/run.sh [options]            throughput: nginx ceiling, then one DynaKV node, GET and PUT
#   bench/run.sh --memory [options]   memory and restart: 1,000,000 keys, RSS, time to serve again
#
# Options (each also settable by the environment variable in brackets):
#   --runs N             rounds of (nginx, GET, PUT); medians are taken over them    [BENCH_RUNS=3]
#   --duration T         wrk duration of each measurement (wrk syntax: 10s, 1m)      [BENCH_DURATION=10s]
#   --connections N      wrk connections                                             [BENCH_CONNECTIONS=64]
#   --threads N          wrk threads                                                 [BENCH_THREADS=2]
#   --fsync MODE         always|periodic, passed to the node as --fsync              [BENCH_FSYNC=always]
#   --keys N             keyspace (throughput 100000; --memory 1000000)              [BENCH_KEYS]
#   --out FILE           also write the markdown report to FILE                      [BENCH_OUT]
#   --memory             the memory/restart measurement instead of throughput
#   --nginx-only         only the nginx ceiling (checks the harness without a node)
#   -h, --help           this text
# Other environment: BENCH_NODE_CMD (command that starts a node, default bin/dynakv; for testing
#   the harness), BENCH_KEEP_TMP=1 (keep the temporary directory, with the node's log).
#
# Installs wrk, nginx-light and curl with apt-get when missing (as root, or with sudo -n).
# Every process it starts is stopped by its PID on exit; temporary directories are removed.
set -euo pipefail

bench_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$bench_dir/.." && pwd -P)

runs=${BENCH_RUNS:-3}
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
fsync=${BENCH_FSYNC:-always}
keys=${BENCH_KEYS:-}
out=${BENCH_OUT:-}
mode=throughput
node_cmd=${BENCH_NODE_CMD:-$root/bin/dynakv}

# Fixed settings.
WRK_TIMEOUT=10s          # requests slower than this count as timeouts and leave wrk's histogram,
                         # so it is set well above any plausible p99 (wrk's default is 2 s)
HEALTH_WAIT_S=120        # bound on a node start (the jar is built beforehand, see build_node)
STOP_WAIT_S=60           # bound on a node's clean shutdown after SIGTERM
RESTART_WAIT_S=300       # bound on the time a restarted node may take to serve again
SETTLE_S=10              # --memory: pause between the two RSS readings
SAMPLE_KEYS=1000         # --memory: random keys read after the restart
RSS_TARGET_MIB=768       # --memory: the resident-memory target for 1M keys

usage() { sed -n '2,24s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
  arg=$1
  value=
  if [[ $arg == --*=* ]]; then
    value=${arg#*=}
    arg=${arg%%=*}
  fi
  case $arg in
    --runs | --duration | --connections | --threads | --fsync | --keys | --out)
      if [[ -z $value ]]; then
        [[ $# -ge 2 ]] || die "$arg needs a value"
        value=$2
        shift
      fi
      case $arg in
        --runs) runs=$value ;;
        --duration) duration=$value ;;
        --connections) connections=$value ;;
        --threads) threads=$value ;;
        --fsync) fsync=$value ;;
        --keys) keys=$value ;;
        --out) out=$value ;;
      esac
      ;;
    --memory) mode=memory ;;
    --nginx-only) mode=nginx-only ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done

if [[ -z $keys ]]; then
  if [[ $mode == memory ]]; then keys=1000000; else keys=100000; fi
fi
for pair in "runs=$runs" "connections=$connections" "threads=$threads" "keys=$keys"; do
  [[ ${pair#*=} =~ ^[1-9][0-9]*$ ]] || die "--${pair%%=*} must be a positive integer, got '${pair#*=}'"
done
((connections >= threads)) || die "--connections must be >= --threads"
((runs <= 100)) || die "--runs must be at most 100"
[[ $fsync == always || $fsync == periodic ]] || die "--fsync must be always or periodic, got '$fsync'"

# wrk duration syntax (plain seconds, or with s/m/h) to seconds.
duration_s() {
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

nginx_bin() {
  if command -v nginx >/dev/null 2>&1; then command -v nginx; else echo /usr/sbin/nginx; fi
}

ensure_tools() {
  local missing=()
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  if [[ $mode != memory && ! -x $(nginx_bin) ]]; then
    missing+=(nginx-light)
  fi
  if ((${#missing[@]} > 0)); then
    log "installing ${missing[*]} with apt-get"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" </dev/null >&2
  fi
  command -v wrk >/dev/null 2>&1 || die "wrk is still missing"
  command -v curl >/dev/null 2>&1 || die "curl is still missing"
  if [[ $mode != memory ]]; then
    [[ -x $(nginx_bin) ]] || die "nginx is still missing"
  fi
}

# ---------------------------------------------------------------------------------------------
# Processes and cleanup: every process started here is recorded and stopped by its PID.

tmp=
started_pids=()

stop_status=
stop_pid() { # pid [signal] [wait seconds]; sets stop_status to the exit status, or "killed"
  local pid=$1 sig=${2:-TERM} wait_s=${3:-$STOP_WAIT_S} i rc=0
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < wait_s * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    stop_status=killed
  else
    wait "$pid" 2>/dev/null || rc=$?
    stop_status=$rc
  fi
  forget_pid "$pid"
}

forget_pid() { # a stopped process leaves the list, so cleanup never signals a reused PID
  local kept=() p
  for p in "${started_pids[@]+"${started_pids[@]}"}"; do
    [[ $p == "$1" ]] || kept+=("$p")
  done
  started_pids=(${kept[@]+"${kept[@]}"})
}

# Long steps run as a child that this shell waits for, so that a signal (Ctrl-C, SIGTERM) is acted
# on at once rather than when the step ends; cleanup() then stops the child too.
child_pid=
child_group=0
child_rc=0
run_child() { # [--group] command... ; sets child_rc. --group: own process group (cleanup stops it all)
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
  local pid
  trap - EXIT INT TERM
  if [[ -n $child_pid ]] && kill -0 "$child_pid" 2>/dev/null; then
    if ((child_group)); then
      kill -TERM -- "-$child_pid" 2>/dev/null || true
    else
      kill -TERM "$child_pid" 2>/dev/null || true
    fi
    wait "$child_pid" 2>/dev/null || true
  fi
  for pid in "${started_pids[@]+"${started_pids[@]}"}"; do
    stop_pid "$pid" TERM 30
  done
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

# Prints a TCP port on 127.0.0.1 that nothing uses (bounded number of tries).
taken_ports=" "
free_port() {
  local i p
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    [[ $taken_ports == *" $p "* ]] && continue
    if command -v ss >/dev/null 2>&1; then
      [[ -n $(ss -Htan "( sport = :$p )" 2>/dev/null) ]] && continue
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    taken_ports+="$p "
    echo "$p"
    return
  done
  die "found no free TCP port"
}

http_status() { # url -> prints the status code, 000 when no answer
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true
}

wait_http_200() { # url seconds pid what
  local url=$1 wait_s=$2 pid=$3 what=$4 deadline
  deadline=$((SECONDS + wait_s))
  while ((SECONDS < deadline)); do
    [[ $(http_status "$url") == 200 ]] && return 0
    kill -0 "$pid" 2>/dev/null || { show_log "$what"; die "$what exited before answering $url"; }
    sleep 0.2
  done
  show_log "$what"
  die "$what did not answer 200 on $url within ${wait_s}s"
}

show_log() {
  local f
  case $1 in
    nginx) f=$tmp/nginx/error.log ;;
    *) f=$tmp/node.log ;;
  esac
  if [[ -s $f ]]; then
    echo "---- last lines of $1's log ($f) ----" >&2
    tail -n 40 "$f" >&2
    echo "----" >&2
  fi
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# ---------------------------------------------------------------------------------------------
# nginx ceiling

nginx_pid=
nginx_port=
start_nginx() {
  local prefix=$tmp/nginx
  nginx_port=$(free_port)
  mkdir -p "$prefix"
  chmod 755 "$tmp" "$prefix" # when run as root, nginx's workers run as another user
  sed "s/@PORT@/$nginx_port/g" "$bench_dir/nginx.conf" >"$prefix/nginx.conf"
  "$(nginx_bin)" -p "$prefix/" -c "$prefix/nginx.conf" -e "$prefix/error.log" -g 'daemon off;' \
    >>"$prefix/stdout.log" 2>&1 </dev/null &
  nginx_pid=$!
  started_pids+=("$nginx_pid")
  wait_http_200 "http://127.0.0.1:$nginx_port/" 10 "$nginx_pid" nginx
  log "nginx (pid $nginx_pid) on 127.0.0.1:$nginx_port"
}

# ---------------------------------------------------------------------------------------------
# DynaKV node

# Build the jar in the foreground first, so the start below is only the node's own start-up.
build_node() {
  if [[ -n ${BENCH_NODE_CMD:-} ]]; then
    return
  fi
  log "building dynakv if needed"
  # In its own process group, so that an interrupted build stops Maven too.
  run_child --group env DYNAKV_BUILD_ONLY=1 "$root/bin/dynakv"
  ((child_rc == 0)) || die "building the node failed"
}

# DYNAKV_* variables would change the node's settings behind the table's back: clear them
# (keeping DYNAKV_JAVA_OPTS for throughput runs, where it is reported; --memory uses the defaults).
node_env=()
for name in $(compgen -e | grep '^DYNAKV_' || true); do
  if [[ $name == DYNAKV_JAVA_OPTS && $mode != memory ]]; then continue; fi
  node_env+=(-u "$name")
done

node_pid=
node_port=
node_peer_port=
start_node() { # data_dir [node flags...]; bin/dynakv execs java, so $! is the JVM's PID
  local dir=$1
  shift
  [[ -n $node_port ]] || node_port=$(free_port)
  # The default node-to-node port is HTTP + 10000, past 65535 for a high HTTP port: pick it too.
  [[ -n $node_peer_port ]] || node_peer_port=$(free_port)
  mkdir -p "$dir"
  echo "==== $(date -u +%FT%TZ) start: $node_cmd 127.0.0.1:$node_port --peer-port $node_peer_port --data-dir $dir $*" >>"$tmp/node.log"
  env ${node_env[@]+"${node_env[@]}"} "$node_cmd" "127.0.0.1:$node_port" --peer-port "$node_peer_port" --data-dir "$dir" "$@" \
    >>"$tmp/node.log" 2>&1 </dev/null &
  node_pid=$!
  started_pids+=("$node_pid")
}

# ---------------------------------------------------------------------------------------------
# wrk

# Runs wrk; sets w_rps w_p50 w_p99 (ms) w_non2xx w_sock parsed from its --latency output.
run_wrk() { # name url script
  local name=$1 url=$2 script=$3 file
  file=$tmp/wrk-$name.txt
  run_child timeout --signal=INT $((duration_seconds + 60)) \
    wrk -t"$threads" -c"$connections" -d"$duration" --latency --timeout "$WRK_TIMEOUT" \
    -s "$script" "$url" -- "$keys" >"$file" 2>&1 </dev/null
  if ((child_rc != 0)) || ! grep -q '^Requests/sec:' "$file"; then
    cat "$file" >&2
    die "wrk failed ($name, exit $child_rc)"
  fi
  read -r w_rps w_p50 w_p99 w_non2xx w_sock < <(awk '
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
  ' "$file")
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

environment_lines() {
  local commit cpu java_v tools
  commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [[ -n $(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
    commit+=" (with uncommitted changes)"
  fi
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
  java_v=$(java -version 2>&1 | head -n1 || true)
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $commit"
  echo "- machine: $(nproc) CPUs${cpu:+ ($cpu)}, $(awk '/^MemTotal:/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
  tools="$java_v; $({ wrk -v 2>&1 || true; } | awk 'NR == 1 { print $1, $2 }')"
  if [[ $mode != memory ]]; then
    tools+="; $("$(nginx_bin)" -v 2>&1 | sed 's/^nginx version: //' || true)"
  fi
  echo "- $tools"
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
# Throughput

throughput() {
  local targets=(nginx) r t
  [[ $mode == nginx-only ]] || targets+=(get put)
  ensure_tools
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/dynakv-bench.XXXXXX")
  start_nginx
  if [[ $mode != nginx-only ]]; then
    build_node
    start_node "$tmp/node-data" --fsync "$fsync"
    wait_http_200 "http://127.0.0.1:$node_port/health" "$HEALTH_WAIT_S" "$node_pid" node
    log "node (pid $node_pid) on 127.0.0.1:$node_port, --fsync $fsync"
    run_child env PRELOAD_THREADS="$threads" PRELOAD_CONNECTIONS="$connections" \
      "$bench_dir/preload.sh" "127.0.0.1:$node_port" "$keys"
    ((child_rc == 0)) || die "preload failed"
  fi

  declare -A rps p50 p99 non2xx sock
  for ((r = 1; r <= runs; r++)); do
    for t in "${targets[@]}"; do
      case $t in
        nginx) run_wrk "nginx-$r" "http://127.0.0.1:$nginx_port" "$bench_dir/get.lua" ;;
        get) run_wrk "get-$r" "http://127.0.0.1:$node_port" "$bench_dir/get.lua" ;;
        put) run_wrk "put-$r" "http://127.0.0.1:$node_port" "$bench_dir/put.lua" ;;
      esac
      rps[$t,$r]=$w_rps p50[$t,$r]=$w_p50 p99[$t,$r]=$w_p99 non2xx[$t,$r]=$w_non2xx sock[$t,$r]=$w_sock
      log "run $r/$runs $t: ${rps[$t,$r]} req/s, p50 ${p50[$t,$r]} ms, p99 ${p99[$t,$r]} ms, non-2xx ${non2xx[$t,$r]}, socket errors ${sock[$t,$r]}"
      sleep 1
    done
  done

  local report=$tmp/report.md
  declare -A mrps mp50 mp99
  for t in "${targets[@]}"; do
    local a=() b=() c=()
    for ((r = 1; r <= runs; r++)); do
      a+=("${rps[$t,$r]}"); b+=("${p50[$t,$r]}"); c+=("${p99[$t,$r]}")
    done
    mrps[$t]=$(median "${a[@]}"); mp50[$t]=$(median "${b[@]}"); mp99[$t]=$(median "${c[@]}")
  done
  label_of() {
    # shellcheck disable=SC2016 # the backquotes are markdown
    case $1 in
      nginx) echo 'nginx `return 200` (ceiling)' ;;
      get) echo 'DynaKV GET' ;;
      put) echo 'DynaKV PUT' ;;
    esac
  }
  {
    echo "## DynaKV single node vs nginx ceiling"
    echo
    environment_lines
    echo "- wrk -t$threads -c$connections -d$duration --latency --timeout $WRK_TIMEOUT; random keys of a ${keys}-key keyspace (preloaded), 100-byte values; the nginx runs use bench/get.lua too"
    if [[ $mode != nginx-only ]]; then
      echo "- node: one, --fsync $fsync; JVM options: ${DYNAKV_JAVA_OPTS-defaults of bin/dynakv}"
    fi
    echo
    echo "| run | target | requests/s | p50 (ms) | p99 (ms) | non-2xx | socket errors |"
    echo "|---:|---|---:|---:|---:|---:|---:|"
    for ((r = 1; r <= runs; r++)); do
      for t in "${targets[@]}"; do
        echo "| $r | $(label_of "$t") | $(fmt %.0f "${rps[$t,$r]}") | $(fmt %.3f "${p50[$t,$r]}") | $(fmt %.3f "${p99[$t,$r]}") | ${non2xx[$t,$r]} | ${sock[$t,$r]} |"
      done
    done
    echo
    echo "Medians of $runs runs, and their ratios to nginx's medians:"
    echo
    echo "| target | requests/s | p50 (ms) | p99 (ms) | requests/s ÷ nginx | p50 ÷ nginx | p99 ÷ nginx |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for t in "${targets[@]}"; do
      echo "| $(label_of "$t") | $(fmt %.0f "${mrps[$t]}") | $(fmt %.3f "${mp50[$t]}") | $(fmt %.3f "${mp99[$t]}") | $(ratio "${mrps[$t]}" "${mrps[nginx]}") | $(ratio "${mp50[$t]}" "${mp50[nginx]}") | $(ratio "${mp99[$t]}" "${mp99[nginx]}") |"
    done
  } >"$report"
  emit_report "$report"

  local errors=0
  for ((r = 1; r <= runs; r++)); do
    for t in "${targets[@]}"; do
      [[ ${non2xx[$t,$r]} == 0 && ${sock[$t,$r]} == 0 ]] || errors=1
    done
  done
  ((errors == 0)) || log "warning: some requests failed (see the non-2xx and socket error columns)"
}

# ---------------------------------------------------------------------------------------------
# Memory and restart

rss_mib() { # pid field(VmRSS|VmHWM) -> MiB
  awk -v f="$2:" '$1 == f { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo n/a
}

memory() {
  ensure_tools
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/dynakv-bench.XXXXXX")
  local data=$tmp/node-data last=$((keys - 1)) t0 t1 load_s rate rss_load hwm_load rss_settled
  local du_mib stop_t0 stop_rc stop_s launch first_s sample_s deadline i
  build_node
  start_node "$data"
  wait_http_200 "http://127.0.0.1:$node_port/health" "$HEALTH_WAIT_S" "$node_pid" node
  log "node (pid $node_pid) on 127.0.0.1:$node_port with default settings; loading $keys keys"

  t0=$(now)
  run_child env PRELOAD_THREADS="$threads" PRELOAD_CONNECTIONS="$connections" \
    "$bench_dir/preload.sh" "127.0.0.1:$node_port" "$keys"
  ((child_rc == 0)) || die "preload failed"
  t1=$(now)
  load_s=$(elapsed "$t0" "$t1")
  rate=$(awk -v n="$keys" -v s="$load_s" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
  rss_load=$(rss_mib "$node_pid" VmRSS)
  hwm_load=$(rss_mib "$node_pid" VmHWM)
  log "RSS after load ${rss_load} MiB (peak ${hwm_load} MiB); settling ${SETTLE_S}s"
  run_child sleep "$SETTLE_S"
  rss_settled=$(rss_mib "$node_pid" VmRSS)
  du_mib=$(du -sk "$data" | awk '{ printf "%.0f", $1 / 1024 }')

  log "stopping the node with SIGTERM"
  stop_t0=$(now)
  stop_pid "$node_pid" TERM "$STOP_WAIT_S"
  stop_rc=$stop_status
  stop_s=$(elapsed "$stop_t0" "$(now)")

  log "restarting on the same data directory"
  launch=$(now)
  start_node "$data"
  deadline=$((SECONDS + RESTART_WAIT_S))
  first_s=
  while ((SECONDS < deadline)); do
    if [[ $(http_status "http://127.0.0.1:$node_port/key/k$last") == 200 ]]; then
      first_s=$(elapsed "$launch" "$(now)")
      break
    fi
    kill -0 "$node_pid" 2>/dev/null || { show_log node; die "the restarted node exited"; }
    sleep 0.05
  done
  [[ -n $first_s ]] || { show_log node; die "GET /key/k$last did not answer 200 within ${RESTART_WAIT_S}s of the restart"; }

  # The sample: SAMPLE_KEYS random keys, re-asking the ones not yet 200 until all are (bounded).
  local pending=() still cfg code k
  for ((i = 0; i < SAMPLE_KEYS; i++)); do
    pending+=($(((RANDOM * 32768 + RANDOM) % keys)))
  done
  sample_s=
  while ((SECONDS < deadline)); do
    cfg=$tmp/sample.curl
    : >"$cfg"
    for k in "${pending[@]}"; do
      printf 'url = "http://127.0.0.1:%s/key/k%s"\noutput = "/dev/null"\n' "$node_port" "$k" >>"$cfg"
    done
    run_child timeout $((deadline - SECONDS + 1)) curl -s --max-time 2 -w '%{http_code}\n' -K "$cfg" \
      >"$tmp/sample.codes" 2>/dev/null
    mapfile -t codes <"$tmp/sample.codes"
    still=()
    for ((i = 0; i < ${#pending[@]}; i++)); do
      code=${codes[i]:-000}
      [[ $code == 200 ]] || still+=("${pending[i]}")
    done
    if ((${#still[@]} == 0)); then
      sample_s=$(elapsed "$launch" "$(now)")
      break
    fi
    pending=("${still[@]}")
    kill -0 "$node_pid" 2>/dev/null || { show_log node; die "the restarted node exited"; }
    sleep 0.2
  done
  [[ -n $sample_s ]] || die "${#pending[@]} of $SAMPLE_KEYS sampled keys still not 200 after ${RESTART_WAIT_S}s"

  # Random reads over the whole keyspace churn the block cache: where malloc fragmentation would
  # show as growing resident memory (see MALLOC_ARENA_MAX in bin/dynakv). Two rounds, RSS after each.
  local rss_read1 rss_read2 hwm_read read_rps read_non2xx
  log "random GETs over all $keys keys, 2 x $duration"
  run_wrk "memory-get-1" "http://127.0.0.1:$node_port" "$bench_dir/get.lua"
  rss_read1=$(rss_mib "$node_pid" VmRSS)
  run_wrk "memory-get-2" "http://127.0.0.1:$node_port" "$bench_dir/get.lua"
  rss_read2=$(rss_mib "$node_pid" VmRSS)
  hwm_read=$(rss_mib "$node_pid" VmHWM)
  read_rps=$w_rps
  read_non2xx=$w_non2xx

  local final_rc
  stop_pid "$node_pid" TERM "$STOP_WAIT_S"
  final_rc=$stop_status

  local verdict="met"
  local worst=$rss_settled
  for v in "$rss_read1" "$rss_read2" "$hwm_read"; do
    if [[ $v =~ ^[0-9]+$ ]] && ((v > worst)); then worst=$v; fi
  done
  if [[ $worst =~ ^[0-9]+$ ]] && ((worst > RSS_TARGET_MIB)); then verdict="NOT met"; fi
  local report=$tmp/report.md
  {
    echo "## DynaKV memory and restart ($keys keys)"
    echo
    environment_lines
    echo "- one node, default settings (default JVM options of bin/dynakv, default --fsync); values of 100 bytes loaded by bench/preload.sh (wrk -t$threads -c$connections)"
    echo
    echo "| measure | value |"
    echo "|---|---:|"
    echo "| keys loaded | $keys × 100-byte values |"
    echo "| load time | ${load_s} s (${rate} PUT/s) |"
    echo "| RSS after load | ${rss_load} MiB |"
    echo "| peak RSS during the run (VmHWM) | ${hwm_load} MiB |"
    echo "| RSS after ${SETTLE_S} s settle | ${rss_settled} MiB (target ≤ ${RSS_TARGET_MIB} MiB: ${verdict}) |"
    echo "| data directory on disk | ${du_mib} MiB |"
    echo "| shutdown on SIGTERM | ${stop_s} s, exit status ${stop_rc} |"
    echo "| restart → GET /key/k$last answers 200 | ${first_s} s |"
    echo "| restart → $SAMPLE_KEYS random keys all answer 200 | ${sample_s} s |"
    echo "| RSS after restart + ${duration} of random GETs over all keys | ${rss_read1} MiB |"
    echo "| RSS after a second ${duration} of random GETs | ${rss_read2} MiB (peak ${hwm_read} MiB; ${read_rps} GET/s, non-2xx ${read_non2xx}) |"
    echo "| worst RSS seen | ${worst} MiB (target ≤ ${RSS_TARGET_MIB} MiB: ${verdict}) |"
    echo "| second shutdown on SIGTERM | exit status ${final_rc} |"
  } >"$report"
  emit_report "$report"
}

case $mode in
  memory) memory ;;
  *) throughput ;;
esac
