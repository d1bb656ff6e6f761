-- What the wrk scripts of bench/ share (loaded with dofile by get.lua and put.lua):
-- each thread gets its own number (to seed its generator, so threads draw different sequences and
-- a run is repeatable), non-2xx responses are counted, and done() prints one parseable line:
--   errors non2xx=<n> status_4xx=<n> status_500=<n> status_503=<n> status_504=<n> status_507=<n> status_other=<n>
-- (the statuses say why requests failed: 503 too few replicas, 504 replica timeout, 507 disk full).
-- (wrk's own "Non-2xx or 3xx responses" line only counts statuses above 399.)

local threads = {}
local next_thread_id = 1

function setup(thread)
  thread:set("thread_id", next_thread_id)
  next_thread_id = next_thread_id + 1
  table.insert(threads, thread)
end

-- Called first by each script's init(args): seeds the thread and returns the keyspace size.
function common_init(args)
  math.randomseed(thread_id)
  non2xx = 0
  s4xx, s500, s503, s504, s507, sother = 0, 0, 0, 0, 0, 0
  return tonumber(args[1]) or 100000
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if status >= 400 and status < 500 then s4xx = s4xx + 1
    elseif status == 500 then s500 = s500 + 1
    elseif status == 503 then s503 = s503 + 1
    elseif status == 504 then s504 = s504 + 1
    elseif status == 507 then s507 = s507 + 1
    else sother = sother + 1 end
  end
end

local function sum(name)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get(name) or 0)
  end
  return total
end

function done(summary, latency, requests)
  io.write(string.format("errors non2xx=%d status_4xx=%d status_500=%d status_503=%d status_504=%d status_507=%d status_other=%d\n",
    sum("non2xx"), sum("s4xx"), sum("s500"), sum("s503"), sum("s504"), sum("s507"), sum("sother")))
end
