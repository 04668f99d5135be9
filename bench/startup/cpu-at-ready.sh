#!/usr/bin/env bash
# Where the CPU of a start goes, for installed distributions side by side: for each start (interleaved, each at load
# < 1), the wall time from the launcher's fork to the first 200 of GET /ready, and at that moment the CPU time of the
# process, of its main thread (named "java" by the launcher, with the idle primordial thread) and of its JIT
# compiler threads (from /proc/<pid>/task/*/stat, in ms).
#   bench/startup/cpu-at-ready.sh RUNS DIST1 DIST2 ...
# Each DIST is an unpacked distribution; its first start (not counted) trains its class-data archive.
set -euo pipefail
runs=$1; shift
: "${JAVA_HOME:?set JAVA_HOME to a JDK 25}"
export JAVA_OPTS= MCP_JAVA_OPTS=
tick=$(getconf CLK_TCK)
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
cpu() {  # $1 pid, $2 thread-name pattern (awk regex on comm) or "" for all: ms of user+system CPU
  local t total=0 name
  for t in /proc/"$1"/task/*; do
    name=$(cat "$t/comm" 2>/dev/null || true)
    if [ -z "$2" ] || [[ "$name" =~ $2 ]]; then
      total=$((total + $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)))
    fi
  done
  echo $((total * 1000 / tick))
}
start() {  # $1 dist, $2 counted?: prints "wall process main jit"
  local home=$1 hp tp t0 t1 pid i line
  hp=$(port); tp=$(port)
  t0=$(date +%s%3N)
  "$home/bin/mcp-server" --http-port "$hp" --tcp-port "$tp" >"$home/logs/cpu-at-ready.out" 2>&1 &
  pid=$!
  for i in $(seq 1 4000); do curl -sf -o /dev/null "http://127.0.0.1:$hp/ready" && break; sleep 0.003; done
  t1=$(date +%s%3N)
  line="$((t1 - t0)) $(cpu "$pid" "") $(cpu "$pid" '^java$') $(cpu "$pid" '^C[12] CompilerThre')"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$line"
}
quiet() {
  local i
  for i in $(seq 1 180); do [ "$(cut -d' ' -f1 /proc/loadavg | tr -d .)" -lt 100 ] && break; sleep 1; done
}
dists=("$@"); declare -A res
for d in "${dists[@]}"; do mkdir -p "$d/logs"; start "$d" >/dev/null; sleep 20; start "$d" >/dev/null; done  # train, then finish the archive
for r in $(seq 1 "$runs"); do
  for d in "${dists[@]}"; do quiet; res[$d]="${res[$d]:-}$(start "$d");"; done
done
for d in "${dists[@]}"; do
  printf '%s\n' "${res[$d]}" | python3 -c '
import sys, statistics
rows = [list(map(int, r.split())) for r in sys.stdin.read().strip().strip(";").split(";")]
cols = ["wall", "process CPU", "main thread CPU", "JIT threads CPU"]
print("  ".join("%s median %d ms (%s)" % (c, statistics.median(r[i] for r in rows), "/".join(str(r[i]) for r in rows)) for i, c in enumerate(cols)))' | sed "s|^|$d: |"
done
