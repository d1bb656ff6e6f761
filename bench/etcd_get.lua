-- wrk script: random reads from etcd through its JSON gateway (grpc-gateway), for bench/cluster.sh.
--   wrk -t1 -c21 -d10s --latency -s bench/etcd_get.lua http://127.0.0.1:2379 [-- KEYS [PREFIX]]
-- Each request is POST <PREFIX>/kv/range with {"key":"<base64 of k<N>>"}, N uniform in [0, KEYS)
-- (KEYS defaults to 100000; PREFIX to /v3, the gateway of etcd 3.4+; cluster.sh probes for it).
-- The range is etcd's default, linearizable (a quorum read through the leader's ReadIndex), like
-- DynaKV's R=2 read. Every body is built in init(), so request() only picks one.
-- Errors (counted with common.lua's non-2xx): a non-2xx status, and a 200 whose body has no "kvs"
-- (etcd's answer for a missing key, where DynaKV would answer 404): the keyspace must be preloaded.

-- Shared setup, error counting and report: bench/common.lua, next to this script.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

-- Standard base64 with padding (only called in init(): speed does not matter).
local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local d1, d2 = math.floor(n / 262144) % 64, math.floor(n / 4096) % 64
    local d3, d4 = math.floor(n / 64) % 64, n % 64
    out[#out + 1] = B64:sub(d1 + 1, d1 + 1) .. B64:sub(d2 + 1, d2 + 1)
      .. (b and B64:sub(d3 + 1, d3 + 1) or "=") .. (c and B64:sub(d4 + 1, d4 + 1) or "=")
  end
  return table.concat(out)
end

local headers = { ["Content-Type"] = "application/json" }
local bodies = {}

function init(args)
  keys = common_init(args)
  path = (args[2] or "/v3") .. "/kv/range"
  for n = 0, keys - 1 do
    bodies[n] = '{"key":"' .. base64("k" .. n) .. '"}'
  end
end

function request()
  return wrk.format("POST", path, headers, bodies[math.random(0, keys - 1)])
end

function response(status, headers, body)
  if status < 200 or status > 299 or not body:find('"kvs"', 1, true) then
    non2xx = non2xx + 1
  end
end
