-- Generic wrk script for the bench harness.
-- Arguments (after `--`): method, path template, body template ("" for none), run nonce,
-- max id, sequence start, thread count, then any number of "Header-Name: value" lines.
-- A body "@path" is read from the file.
-- "{id}" in the path becomes a random id in 1..max id; "{ref}" in the body becomes a
-- reference unique across threads and runs: <nonce>-<thread>-<counter>. For peers with no
-- partial update, the body may also hold the seeded values of that same row: "{id}",
-- "{id7}" (zero-padded to 7 digits) and "{prix}" -- keep in step with SEED_SQL in harness/pg.py.
-- "{seq}" becomes an id used by no other request of this run: thread t's n-th request
-- gets start + (n - 1) * threads + (t - 1), so the threads interleave and never meet. done()
-- prints the highest n of any thread ("seq_used"): the next run's start must be at least
-- start + seq_used * threads (the delete kind: each id names a row that exists once).
-- Every response outside 2xx is counted (wrk alone would count 3xx as success).

-- BENCH_PACE_MS > 0: each connection waits that long after an answer (a paced load).
local pace_ms = tonumber(os.getenv("BENCH_PACE_MS") or "") or 0
if pace_ms > 0 then
  function delay() return pace_ms end
end

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
  table.insert(threads, thread)
end

function init(args)
  method = args[1]
  path_tpl = args[2]
  body_tpl = args[3]
  -- "@path": the body is that file's content (a body too long for a command line).
  if body_tpl:sub(1, 1) == "@" then
    local file = assert(io.open(body_tpl:sub(2), "rb"))
    body_tpl = file:read("*a")
    file:close()
  end
  nonce = args[4]
  max_id = tonumber(args[5])
  seq_start = tonumber(args[6])
  seq_threads = tonumber(args[7])
  for i = 8, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    if name then wrk.headers[name] = value end
  end
  if body_tpl ~= "" then wrk.headers["Content-Type"] = "application/json" end
  has_id = (path_tpl .. body_tpl):find("{id", 1, true) ~= nil
  has_ref = body_tpl:find("{ref}", 1, true) ~= nil
  has_seq = (path_tpl .. body_tpl):find("{seq}", 1, true) ~= nil
  math.randomseed(os.time() + 7919 * tid)
  counter = 0
  non2xx = 0
  codes = ""
  first_error = ""
end

local function fill_row(text, id)
  text = text:gsub("{id}", tostring(id))
  text = text:gsub("{id7}", string.format("%07d", id))
  text = text:gsub("{prix}", string.format("%.2f", ((id * 7919) % 100000) / 100))
  return text
end

function request()
  local path = path_tpl
  local body = nil
  if body_tpl ~= "" then body = body_tpl end
  if has_id then
    local id = math.random(1, max_id)
    path = fill_row(path, id)
    if body then body = fill_row(body, id) end
  end
  if has_ref or has_seq then counter = counter + 1 end
  if has_ref then
    body = (body:gsub("{ref}", nonce .. "-" .. tid .. "-" .. counter))
  end
  if has_seq then
    local seq = string.format("%d", seq_start + (counter - 1) * seq_threads + (tid - 1))
    path = path:gsub("{seq}", seq)
    if body then body = body:gsub("{seq}", seq) end
  end
  return wrk.format(method, path, nil, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if not codes:find("," .. status .. ",", 1, true) then codes = codes .. "," .. status .. "," end
    if first_error == "" then first_error = status .. " " .. (body or ""):sub(1, 300) end
  end
end

function done(summary, latency, requests)
  local bad, codes_all, sample, seq_used = 0, "", "", 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
    seq_used = math.max(seq_used, t:get("counter") or 0)
    codes_all = codes_all .. (t:get("codes") or "")
    if sample == "" then sample = t:get("first_error") or "" end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"non2xx": %d, "socket_errors": %d, "timeouts": %d, "seq_used": %d}\n',
    summary.requests, summary.duration, latency:percentile(50.0), latency:percentile(95.0),
    latency:percentile(99.0),
    bad, e.connect + e.read + e.write, e.timeout, seq_used))
  io.write("BENCH_CODES " .. codes_all .. "\n")
  io.write("BENCH_SAMPLE " .. sample:gsub("\n", " ") .. "\n")
end
