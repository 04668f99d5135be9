#!/usr/bin/env bash
# Start-up of one installed distribution under several JVM option sets, interleaved, each start on a quiet machine.
#   bench/startup/jvm-flags.sh DIST RUNS "OPTS1" "OPTS2" ...     ("" is the launcher's defaults)
# DIST is an unpacked distribution (e.g. dist/target/mcp-server-<version>); its cds/ gets one class-data archive per
# option set (the option set is part of the archive's key), written by a first start of each that is not counted.
# Each counted start waits (at most 3 minutes) for the 1-minute load average to fall below 1, then measures the launcher's fork to the
# first 200 of GET /ready (TCP and HTTP on free ports, the distribution's own conf/mcp-server.yaml). Prints the median
# and the runs of each option set.
set -euo pipefail
home=$(cd "$1" && pwd); runs=$2; shift 2
: "${JAVA_HOME:?set JAVA_HOME to a JDK 25}"
export JAVA_OPTS=
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
start() {  # $1 = MCP_JAVA_OPTS; prints ms from the fork to the first 200 of /ready
  local hp tp t0 t1 pid i
  hp=$(port); tp=$(port)
  t0=$(date +%s%3N)
  MCP_JAVA_OPTS="$1" "$home/bin/mcp-server" --http-port "$hp" --tcp-port "$tp" >"$home/logs/jvm-flags.out" 2>&1 &
  pid=$!
  for i in $(seq 1 4000); do curl -sf -o /dev/null "http://127.0.0.1:$hp/ready" && break; sleep 0.003; done
  t1=$(date +%s%3N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo $((t1 - t0))
}
quiet() {  # at most 3 minutes; the load each start began at is printed with its time
  local i
  for i in $(seq 1 180); do [ "$(cut -d' ' -f1 /proc/loadavg | tr -d .)" -lt 100 ] && break; sleep 1; done
  loads="$loads $(cut -d' ' -f1 /proc/loadavg)"
}
mkdir -p "$home/logs"
sets=("$@"); res=(); loads=""
for s in "${sets[@]}"; do start "$s" >/dev/null; done  # the training starts write the archives
for r in $(seq 1 "$runs"); do
  for i in "${!sets[@]}"; do quiet; res[$i]="${res[$i]:-} $(start "${sets[$i]}")"; done
done
echo "load average before each start:$loads"
for i in "${!sets[@]}"; do
  printf '%s\n' "${res[$i]}" | python3 -c 'import sys; xs=sorted(map(int,sys.stdin.read().split())); print("median", xs[len(xs)//2], "ms, runs", xs, end="")'
  printf '  [%s]\n' "${sets[$i]}"
done
