#!/usr/bin/env bash
# Benchmarks: builds what it needs, starts each server, warms it up, drives load, and writes
# results (CSV + JSON) and a chart (PNG) to bench/results/<timestamp>/. See docs/benchmarks.md.
#
#   bench/run.sh            full run: every transport, payload and concurrency, 3 repetitions, scale,
#                           startup and JMH (about 40 minutes)
#   bench/run.sh --quick    the same matrix with shorter cells and 1 repetition (about 10 minutes)
#   bench/run.sh --smoke    a few seconds per server: checks the harness works, asserts nothing about numbers
#                           (CI: under 2 minutes including the builds)
#   bench/run.sh --flood    only the fairness-under-flood benchmark (about 4 minutes; every mode runs it at the
#                           end, --no-flood skips it): 20 well-behaved principals vs one flooding principal
#   bench/run.sh --hooks    only issue 16's comparison (about 12 minutes): our server with nothing configured (twice:
#                           an A/A pair, the run's noise), without the hooks' off paths, and with interceptors, API
#                           keys, tracing and compression configured; the classes each loaded; then JMH of the
#                           dispatcher with and without the hooks and of each off path (smoke runs a short version)
# Other options (after the mode) go to the orchestrator: --reps N, --duration S, --warmup S,
# --concurrency 1,16,64,256, --payloads small,64k, --transports http,ws,tcp,stdio, --servers ours,sdk,limit,
# --pin (server on CPU 1, load generator on CPU 0), --no-scale, --no-startup, --no-jmh, --scale-conns N,
# --out DIR. `bench/run.sh --full --help` lists them.
# --no-project-build: don't rebuild the project's modules; benchmark what bench/target/m2 holds (handy
# while the work tree doesn't compile; the run says how old that build is).
#
# Build: the project's modules (plugin-api, server, the bundled plugins) are built from a private copy of the
# sources (bench/target/src: other builds in the work tree can't disturb it) and installed into a throwaway
# local repository, bench/target/m2, that reads ~/.m2/repository as a read-only tail. bench/pom.xml is then
# built against them. Nothing is installed into ~/.m2 and nothing in the main reactor changes.
set -euo pipefail

bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench")
say() { printf 'bench: %s\n' "$*" >&2; }

mode=full
case "${1:-}" in
  --smoke|--quick|--full|--flood|--hooks) mode=${1#--}; shift ;;
  --help|-h) sed -n '2,30p' "${BASH_SOURCE[0]}"; exit 0 ;;
esac
project_build=yes
pin=no
args=()
for a in "$@"; do
  case "$a" in
    --no-project-build) project_build=no ;;
    --pin) pin=yes; args+=("$a") ;;
    *) args+=("$a") ;;
  esac
done

# shellcheck source=../dist/bin/find-jdk
. "$root/dist/bin/find-jdk"
mcp_find_jdk || exit 1

version=$(sed -e '/<parent>/,/<\/parent>/d' -n -e 's:.*<version>\([^<]*\)</version>.*:\1:p' "$root/pom.xml" | head -n 1)
m2="$bench/target/m2"
mvn=("$root/mvnw" -q -B -ntp "-Dmaven.repo.local=$m2" "-Dmaven.repo.local.tail=$HOME/.m2/repository")
started=$(date +%s)

# ---- 1. the project's modules, from a snapshot of the sources, into bench/target/m2 --------------------
src="$bench/target/src"
modules=plugin-api,server,plugins/demo,plugins/filesystem,plugins/time,plugins/conformance,plugins/interceptors
stamp_now=$( (echo "$modules"; cd "$root" && find . \( -name target -o -name .git -o -name node_modules -o -name bench -o -name docs \
               -o -path '*/src/test' -o -name .mcp-test \) -prune -o -type f -printf '%p %s %T@\n' | sort) | sha1sum | cut -c1-40)
if [ "$project_build" = no ] && [ -f "$m2/io/mcpserver/mcp-server/$version/mcp-server-$version.jar" ]; then
  say "--no-project-build: benchmarking the project as last built into bench/target/m2 ($(date -r "$m2/io/mcpserver/mcp-server/$version/mcp-server-$version.jar" '+%F %T'))"
elif [ -f "$bench/target/src.stamp" ] && [ "$(cat "$bench/target/src.stamp")" = "$stamp_now" ] \
   && [ -f "$m2/io/mcpserver/mcp-server/$version/mcp-server-$version.jar" ]; then
  say "project sources unchanged since the last build; reusing bench/target/m2"
else
  say "building the project's modules (plugin-api, server, the bundled plugins) from a copy of the sources"
  rm -rf "$src" && mkdir -p "$src"
  (cd "$root" && tar --exclude=./bench --exclude=./.git --exclude=target --exclude=node_modules --exclude=.mcp-test \
      -cf - .) | tar -C "$src" -xf -
  "${mvn[@]}" -f "$src/pom.xml" install -Dmaven.test.skip=true -pl "$modules" -am
  echo "$stamp_now" > "$bench/target/src.stamp"
fi

# ---- 2. the bench modules --------------------------------------------------------------------------------
say "building bench/ (load generator, official-SDK server, plain-Helidon server, JMH)"
"${mvn[@]}" -f "$bench/pom.xml" package "-Dmcp.version=$version"
say "builds took $(( $(date +%s) - started )) s"

# ---- 3. run ----------------------------------------------------------------------------------------------
# 10k WebSocket + 10k SSE connections: every one is a descriptor in the server and in the client
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
say "open files limit: $(ulimit -n)"

out="$bench/results/$(date -u +%Y%m%dT%H%M%SZ)-$mode"
# smoke runs prove the harness works; their numbers mean nothing, so they stay out of results/
if [ "$mode" = smoke ]; then out="$bench/target/smoke/$(date -u +%Y%m%dT%H%M%SZ)"; fi
# --pin: the load generator on CPU 0 (the orchestrator pins the servers on CPU 1)
pin_cmd=()
if [ "$pin" = yes ] && command -v taskset >/dev/null 2>&1; then pin_cmd=(taskset -c 0); fi
exec ${pin_cmd[@]+"${pin_cmd[@]}"} "$JAVA" -Xmx4g -XX:+UseParallelGC -cp "$bench/loadgen/target/classes" \
  io.mcpserver.bench.loadgen.Bench --mode "$mode" --bench-dir "$bench" --java "$JAVA" --out "$out" ${args[@]+"${args[@]}"}
