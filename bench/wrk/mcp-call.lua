-- wrk script: tools/call of echo over Streamable HTTP on one MCP session opened beforehand.
-- Usage: wrk -t1 -c64 -d5s --latency -s mcp-call.lua http://127.0.0.1:PORT/mcp -- SESSION_ID ACCEPT TEXT_FILE
--   SESSION_ID  the Mcp-Session-Id from initialize ("-" for none: the plain-Helidon limit)
--   ACCEPT      json (application/json) or sse (application/json, text/event-stream)
--   TEXT_FILE   a file holding the text to echo (printable ASCII, no quotes or backslashes)
-- Ids are strings unique per wrk thread ("t<thread>-<n>"): many requests of one session are in flight at once.
local threads = {}
local next_thread = 1

function setup(thread)
   thread:set("tid", next_thread)
   next_thread = next_thread + 1
   table.insert(threads, thread)
end

function init(args)
   local session = args[1] or "-"
   local accept = args[2] or "json"
   local f = assert(io.open(args[3], "r"))
   text = f:read("*a")
   f:close()
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   if accept == "sse" then
      wrk.headers["Accept"] = "application/json, text/event-stream"
   else
      wrk.headers["Accept"] = "application/json"
   end
   if session ~= "-" then
      wrk.headers["Mcp-Session-Id"] = session
      wrk.headers["MCP-Protocol-Version"] = "2025-06-18"
   end
   n = 0
   bad = 0
end

function request()
   n = n + 1
   local body = '{"jsonrpc":"2.0","id":"t' .. tid .. '-' .. n .. '","method":"tools/call","params":{"name":"echo","arguments":{"text":"' .. text .. '"}}}'
   return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
   if status ~= 200 or not string.find(body, '"result"', 1, true) then
      bad = bad + 1
   end
end

function done(summary, latency, requests)
   local errors = 0
   for _, t in ipairs(threads) do
      errors = errors + (t:get("bad") or 0)
   end
   io.write(string.format("WRK_RESULT requests=%d seconds=%.3f p50_us=%d p90_us=%d p99_us=%d bad=%d socket_errors=%d\n",
      summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), errors, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
