#!/usr/bin/env bash
# Throughput in the first seconds after a start: the launcher starts DIST with MCP_JAVA_OPTS=OPTS, then twelve 1-second
# wrk rounds of tools/call echo (small, 16 connections on one session, Accept: application/json, text/event-stream).
#   bench/startup/warm-up.sh DIST "OPTS"        (prints the calls answered in each second)
set -euo pipefail
home=$(cd "$1" && pwd); opts=${2:-}
bench=$(cd "$(dirname "$0")/.." && pwd)
: "${JAVA_HOME:?set JAVA_HOME to a JDK 25}"
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 1; }
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
hp=$(port); tp=$(port)
mkdir -p "$home/logs"
JAVA_OPTS= MCP_JAVA_OPTS="$opts" "$home/bin/mcp-server" --http-port "$hp" --tcp-port "$tp" >"$home/logs/warm-up.out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for i in $(seq 1 1000); do curl -sf -o /dev/null "http://127.0.0.1:$hp/ready" && break; sleep 0.01; done
h=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')
sid=$(curl -s -D - -o /dev/null -X POST "http://127.0.0.1:$hp/mcp" "${h[@]}" \
  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"w","version":"1"}}}' \
  | tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
curl -s -o /dev/null -X POST "http://127.0.0.1:$hp/mcp" "${h[@]}" -H "Mcp-Session-Id: $sid" \
  -H 'MCP-Protocol-Version: 2025-06-18' -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
text=$(mktemp); printf 'hello, MCP' > "$text"
out=""
for r in $(seq 1 12); do
  n=$(wrk -t1 -c16 -d1s -s "$bench/wrk/mcp-call.lua" "http://127.0.0.1:$hp/mcp" -- "$sid" sse "$text" 2>/dev/null \
      | grep -o 'requests=[0-9]*' | cut -d= -f2)
  out="$out ${n:-0}"
done
rm -f "$text"
echo "calls per second, seconds 1-12:$out  [$opts]"
