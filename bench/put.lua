-- wrk script: random writes of 100-byte values.
--   wrk -t2 -c64 -d10s --latency -s bench/put.lua http://127.0.0.1:6660 [-- KEYS]
-- Each request is PUT /key/k<N>, N uniform in [0, KEYS) (KEYS defaults to 100000), with
-- Content-Type: application/json and the body {"value":"<92 characters>"} (104 bytes; the stored
-- value is the 94-byte JSON string, ~100 bytes with the key). Values are drawn from a pool of
-- random alphanumeric strings so that they do not compress away in storage.
-- Each wrk thread seeds its generator with its own thread number.
-- A non-2xx response counts as an error.

-- Shared setup, error counting and report: bench/common.lua, next to this script.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

local VALUE_LENGTH = 92
local POOL_SIZE = 512
local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
local headers = { ["Content-Type"] = "application/json" }
local bodies = {}

function init(args)
  keys = common_init(args)
  for i = 1, POOL_SIZE do
    local chars = {}
    for j = 1, VALUE_LENGTH do
      local c = math.random(1, #ALPHABET)
      chars[j] = ALPHABET:sub(c, c)
    end
    bodies[i] = '{"value":"' .. table.concat(chars) .. '"}'
  end
end

function request()
  local key = math.random(0, keys - 1)
  local body = bodies[math.random(1, POOL_SIZE)]
  return wrk.format("PUT", "/key/k" .. key, headers, body)
end
