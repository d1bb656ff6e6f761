-- wrk script: random reads.
--   wrk -t2 -c64 -d10s --latency -s bench/get.lua http://127.0.0.1:6660 [-- KEYS]
-- Each request is GET /key/k<N>, N uniform in [0, KEYS) (KEYS defaults to 100000, the keyspace
-- bench/preload.sh loads). Each wrk thread seeds its generator with its own thread number, so
-- threads draw different sequences and a run is repeatable.
-- A non-2xx response counts as an error (404 included: the keyspace should be preloaded);
-- done() prints one parseable line:  errors non2xx=<n>
-- (wrk's own "Non-2xx or 3xx responses" line only counts statuses above 399.)

local threads = {}
local next_thread_id = 1

function setup(thread)
  thread:set("thread_id", next_thread_id)
  next_thread_id = next_thread_id + 1
  table.insert(threads, thread)
end

function init(args)
  keys = tonumber(args[1]) or 100000
  math.randomseed(thread_id)
  non2xx = 0
end

function request()
  return wrk.format("GET", "/key/k" .. math.random(0, keys - 1))
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("non2xx") or 0)
  end
  io.write(string.format("errors non2xx=%d\n", total))
end
