#!/usr/bin/env bash
# A scripted MCP session over the TCP transport with netcat: newline-delimited JSON-RPC, one message
# per line, one JSON line back per response or notification.
#
#   dist/bin/mcp-server &                      # TCP listens on 127.0.0.1:9000 by default
#   docs/examples/tcp-session.sh               # or: docs/examples/tcp-session.sh HOST PORT
#
# The shortest session is a one-liner (-N closes our sending side at the end of input; the server
# still answers what it got, then closes):
#
#   printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"nc","version":"1"}}}' \
#     '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
#     '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}' \
#     | nc -N 127.0.0.1 9000
#
# Needs the OpenBSD netcat (Debian/Ubuntu: apt-get install netcat-openbsd) for -N. Pipe the output
# through `jq .` to read it comfortably. For an interactive session, run `nc 127.0.0.1 9000` and type
# (or paste) the lines yourself.
set -euo pipefail

host=${1:-127.0.0.1}
port=${2:-9000}
if ! command -v nc >/dev/null 2>&1; then
  echo "tcp-session.sh: needs nc (Debian/Ubuntu: apt-get install netcat-openbsd)" >&2
  exit 1
fi

session() {
  # the handshake: initialize, then the initialized notification (no answer to a notification)
  echo '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"tcp-session.sh","version":"1.0"}}}'
  echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  # what the server offers
  echo '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
  # a tool call
  echo '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello over TCP"}}}'
  # a slower one that reports progress: notifications/progress lines come before its result
  echo '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"slow_count","arguments":{"count":3,"delay_ms":100},"_meta":{"progressToken":"count-1"}}}'
  # a resource and a prompt from the demo plugin
  echo '{"jsonrpc":"2.0","id":5,"method":"resources/read","params":{"uri":"demo://readme"}}'
  echo '{"jsonrpc":"2.0","id":6,"method":"prompts/get","params":{"name":"greet","arguments":{"name":"Ada"}}}'
}

# Requests run concurrently, so responses may come back in any order: match them by id.
session | nc -N "$host" "$port"
