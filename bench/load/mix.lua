-- wrk script for `make bench`: weighted random paths, an optional bearer token, and a JSON summary.
--
--   BENCH_PATHS=paths.txt BENCH_TOKEN=eyJ... wrk -s bench/load/mix.lua http://127.0.0.1:PORT
--
-- paths.txt: one "WEIGHT PATH" per line. Without BENCH_TOKEN no Authorization header is sent.
-- done() prints one JSON line (latencies in microseconds) after wrk's own report.

local requests = {}  -- one pre-formatted request per weight unit, so a pick is one random index

local function load_paths(file, token)
  local headers = {}
  if token and token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
  for line in io.lines(file) do
    local weight, path = line:match("^%s*(%d+)%s+(%S+)")
    if weight then
      local request = wrk.format("GET", path, headers)
      for _ = 1, tonumber(weight) do
        requests[#requests + 1] = request
      end
    end
  end
  assert(#requests > 0, "no paths in " .. file)
end

local next_id = 0
local threads = {}
function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() * 100 + (id or 0))
  load_paths(assert(os.getenv("BENCH_PATHS"), "set BENCH_PATHS"), os.getenv("BENCH_TOKEN"))
end

function request()
  return requests[math.random(#requests)]
end

-- With BENCH_COUNT_CACHE=1: how each response was answered (X-Cache: HIT, MISS, BYPASS, DISABLED;
-- "none" without the header). Off by default: a response() function makes wrk hand every body to
-- Lua, which costs wrk far more for some servers than for others (measured: nginx 1,400 -> 260 req/s).
cache = {}
if os.getenv("BENCH_COUNT_CACHE") == "1" then
  function response(status, headers, body)
    local outcome = headers["X-Cache"] or headers["x-cache"] or "none"
    cache[outcome] = (cache[outcome] or 0) + 1
  end
end

function done(summary, latency, requests_stats)
  local totals, outcomes = {}, {}
  for _, thread in ipairs(threads) do
    for outcome, n in pairs(thread:get("cache") or {}) do
      totals[outcome] = (totals[outcome] or 0) + n
    end
  end
  for outcome, n in pairs(totals) do
    outcomes[#outcomes + 1] = string.format('"%s":%d', outcome, n)
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p95":%d,"p99":%d,"max":%d},"x_cache":{%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    table.concat(outcomes, ",")))
end
