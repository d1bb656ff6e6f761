-- wrk script: random writes of 100-byte values to etcd through its JSON gateway, for bench/cluster.sh.
--   wrk -t1 -c21 -d10s --latency -s bench/etcd_put.lua http://127.0.0.1:2379 [-- KEYS [PREFIX]]
-- Each request is POST <PREFIX>/kv/put with {"key":"<base64 of k<N>>","value":"<base64 of 94
-- random alphanumerics>"}, N uniform in [0, KEYS) (KEYS defaults to 100000; PREFIX to /v3, the
-- gateway of etcd 3.4+; cluster.sh probes for it). 94 bytes is the size of the value DynaKV stores
-- for bench/put.lua's body (the JSON string "<92 characters>"), so both store ~100 bytes per key.
-- Values come from a pool of random strings (as in put.lua); the base64 of every key and of every
-- value is computed in init(), so request() only joins two strings.
-- Each wrk thread seeds its generator with its own thread number (common.lua).
-- A non-2xx response counts as an error.

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

local VALUE_LENGTH = 94
local POOL_SIZE = 512
local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
local headers = { ["Content-Type"] = "application/json" }
local heads = {}   -- heads[n] = '{"key":"<base64 of kn>","value":"'
local tails = {}   -- '<base64 of a random value>"}'

function init(args)
  keys = common_init(args)
  path = (args[2] or "/v3") .. "/kv/put"
  for n = 0, keys - 1 do
    heads[n] = '{"key":"' .. base64("k" .. n) .. '","value":"'
  end
  for i = 1, POOL_SIZE do
    local chars = {}
    for j = 1, VALUE_LENGTH do
      local c = math.random(1, #ALPHABET)
      chars[j] = ALPHABET:sub(c, c)
    end
    tails[i] = base64(table.concat(chars)) .. '"}'
  end
end

function request()
  local body = heads[math.random(0, keys - 1)] .. tails[math.random(1, POOL_SIZE)]
  return wrk.format("POST", path, headers, body)
end
