-- What the wrk scripts of bench/ share (loaded with dofile by get.lua and put.lua):
-- each thread gets its own number (to seed its generator, so threads draw different sequences and
-- a run is repeatable), non-2xx responses are counted, and done() prints one parseable line:
--   errors non2xx=<n>
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
  return tonumber(args[1]) or 100000
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
