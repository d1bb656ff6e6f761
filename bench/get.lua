-- wrk script: random reads.
--   wrk -t2 -c64 -d10s --latency -s bench/get.lua http://127.0.0.1:6660 [-- KEYS]
-- Each request is GET /key/k<N>, N uniform in [0, KEYS) (KEYS defaults to 100000, the keyspace
-- bench/preload.sh loads). Each wrk thread seeds its generator with its own thread number, so
-- threads draw different sequences and a run is repeatable.
-- A non-2xx response counts as an error (404 included: the keyspace should be preloaded).

-- Shared setup, error counting and report: bench/common.lua, next to this script.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

function init(args)
  keys = common_init(args)
end

function request()
  return wrk.format("GET", "/key/k" .. math.random(0, keys - 1))
end
