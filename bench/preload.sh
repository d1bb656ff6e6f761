#!/usr/bin/env bash
# Load keys k0..k<count-1> (default 100000) with 100-byte values into a DynaKV node, each key exactly
# once, as fast as the node takes them, then check a few of them with GETs.
#
#   bench/preload.sh <host:port> [count]
#
# How: one wrk run whose Lua script walks the keyspace. wrk thread t (1..T) owns keys
# t-1, t-1+T, t-1+2T, ... and sends each once, as PUT /key/k<N> with the body
# {"value":"<92 random alphanumerics>"} (the same shape as bench/put.lua). When a thread has no key
# left, its connections stay idle; when it has every response, it drops a marker file. This script
# waits for all the markers, then stops wrk (SIGINT, by the PID it started) to get its summary.
#
# Environment: PRELOAD_THREADS (default 2), PRELOAD_CONNECTIONS (64),
#   PRELOAD_TIMEOUT (seconds before giving up; default max(300, count/250)),
#   PRELOAD_VERIFY (random keys to GET at the end besides the first and last; default 5).
# Exit status 0 only when every key got a 2xx and the checked keys read back 200.
# Needs wrk and curl (bench/run.sh installs them).
set -euo pipefail

usage() { sed -n '2,18s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

if [[ $# -lt 1 || $# -gt 2 || $1 == -h || $1 == --help ]]; then
  usage >&2
  exit 2
fi
addr=$1
count=${2:-100000}
threads=${PRELOAD_THREADS:-2}
connections=${PRELOAD_CONNECTIONS:-64}
verify=${PRELOAD_VERIFY:-5}
for n in "$count" "$threads" "$connections" "$verify"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "preload: not a number: $n" >&2; exit 2; }
done
((count >= 1)) || { echo "preload: count must be >= 1" >&2; exit 2; }
((threads >= 1)) || threads=1
((threads > count)) && threads=$count
((connections < threads)) && connections=$threads
default_timeout=$((count / 250))
((default_timeout < 300)) && default_timeout=300
timeout_s=${PRELOAD_TIMEOUT:-$default_timeout}

for tool in wrk curl; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "preload: '$tool' not found (Debian: apt-get install -y $tool)" >&2
    exit 127
  }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/dynakv-preload.XXXXXX")
wrk_pid=
cleanup() {
  if [[ -n $wrk_pid ]] && kill -0 "$wrk_pid" 2>/dev/null; then
    kill -TERM "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" 2>/dev/null || true
  fi
  rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cat >"$work/preload.lua" <<'LUA'
-- Arguments: COUNT THREADS MARKER_DIR. Thread t (1..THREADS) owns keys t-1, t-1+THREADS, ...
local threads = {}
local next_thread_id = 1

function setup(thread)
  thread:set("thread_id", next_thread_id)
  next_thread_id = next_thread_id + 1
  table.insert(threads, thread)
end

local VALUE_LENGTH = 92
local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
local PARK_MS = 24 * 3600 * 1000
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  local count = tonumber(args[1])
  local nthreads = tonumber(args[2])
  marker_dir = args[3]
  math.randomseed(thread_id)
  first = thread_id - 1
  stride = nthreads
  quota = 0
  if first < count then
    quota = math.floor((count - 1 - first) / stride) + 1
  end
  reserved = 0   -- request slots granted by delay()
  sent = 0       -- PUTs built by request()
  extra = 0      -- re-sends after a connection was lost mid-request (see request())
  received = 0
  ok = 0
  non2xx = 0
  finished = false
  -- wrk builds one request from the first thread's script before the run, only to check it:
  -- that call must not use up a key.
  verifying = (thread_id == 1)
  if quota == 0 then mark_finished() end
end

function mark_finished()
  finished = true
  local f = io.open(marker_dir .. "/done." .. thread_id, "w")
  if f then f:write("done\n"); f:close() end
end

-- wrk calls delay() before every request on a connection (at connect and after each response).
-- Grant a slot while this thread has unsent keys; park the connection (for longer than any run)
-- once all are handed out, so no request beyond the keyspace is ever sent.
function delay()
  if reserved < quota then
    reserved = reserved + 1
    return 0
  end
  return PARK_MS
end

local function body()
  local chars = {}
  for j = 1, VALUE_LENGTH do
    local c = math.random(1, #ALPHABET)
    chars[j] = ALPHABET:sub(c, c)
  end
  return '{"value":"' .. table.concat(chars) .. '"}'
end

function request()
  if verifying then
    verifying = false
    return wrk.format("PUT", "/key/k" .. first, headers, body())
  end
  local index = sent
  sent = sent + 1
  if index >= quota then
    -- Only when wrk reconnects after losing a request in flight (it then asks for a request
    -- without calling delay()): send the last key again and expect one more response.
    index = quota - 1
    extra = extra + 1
  end
  return wrk.format("PUT", "/key/k" .. (first + index * stride), headers, body())
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
  io.write(string.format("preload ok=%d non2xx=%d finished_threads=%d/%d\n",
    ok_total, non2xx_total, finished_threads, #threads))
end
LUA

echo "preloading $count keys into $addr (wrk: $threads threads, $connections connections)…" >&2
start=$(date +%s.%N)
wrk -t"$threads" -c"$connections" -d"${timeout_s}s" --timeout 30s -s "$work/preload.lua" \
  "http://$addr" -- "$count" "$threads" "$work" >"$work/wrk.out" 2>&1 </dev/null &
wrk_pid=$!

# Bounded by wrk's own -d; poll the markers every 0.1 s.
while kill -0 "$wrk_pid" 2>/dev/null; do
  markers=$(find "$work" -maxdepth 1 -name 'done.*' | wc -l)
  if ((markers >= threads)); then
    kill -INT "$wrk_pid" 2>/dev/null || true
    break
  fi
  sleep 0.1
done
wrk_rc=0
wait "$wrk_pid" || wrk_rc=$?
wrk_pid=
end=$(date +%s.%N)

result=$(grep -m1 '^preload ok=' "$work/wrk.out" || true)
if [[ $wrk_rc -ne 0 || -z $result ]]; then
  cat "$work/wrk.out" >&2
  echo "preload: wrk failed (exit $wrk_rc)" >&2
  exit 1
fi
grep -E '^(  Socket errors|  Non-2xx)' "$work/wrk.out" >&2 || true
ok=$(sed -E 's/.*ok=([0-9]+).*/\1/' <<<"$result")
non2xx=$(sed -E 's/.*non2xx=([0-9]+).*/\1/' <<<"$result")
finished=$(sed -E 's/.*finished_threads=([0-9]+)\/([0-9]+).*/\1/' <<<"$result")
elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
rate=$(awk -v n="$ok" -v a="$start" -v b="$end" 'BEGIN { d = b - a; printf "%.0f", (d > 0 ? n / d : 0) }')
echo "$result" >&2
if ((finished < threads)); then
  echo "preload: gave up after ${timeout_s}s with keys unanswered (raise PRELOAD_TIMEOUT?)" >&2
  exit 1
fi
if ((non2xx > 0 || ok < count)); then
  echo "preload: $non2xx PUTs failed; only $ok of $count answered 2xx" >&2
  exit 1
fi

# Read back the first and last key and a few random ones.
keys=(0 $((count - 1)))
for ((i = 0; i < verify; i++)); do
  keys+=($(((RANDOM * 32768 + RANDOM) % count)))
done
failed=0
for k in "${keys[@]}"; do
  status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://$addr/key/k$k" || true)
  if [[ $status != 200 ]]; then
    echo "preload: GET /key/k$k answered ${status:-nothing}, expected 200" >&2
    failed=1
  fi
done
((failed == 0)) || exit 1
echo "preloaded $count keys in ${elapsed}s (${rate} PUT/s); ${#keys[@]} keys read back 200" >&2
