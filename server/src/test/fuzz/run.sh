#!/usr/bin/env bash
# A long fuzzing run (docs/resilience.md). Each target fuzzes in a JVM of its own for DURATION; a crash is saved by
# Jazzer next to the target's committed inputs (src/test/resources/<package>/<Target>Inputs/<method>/crash-*), where
# every later ./mvnw verify replays it. The working corpus grows in server/.cifuzz-corpus (not committed);
# --keep copies it into the committed inputs (under corpus/), so the next CI run starts from it.
#   server/src/test/fuzz/run.sh [--keep] [DURATION] [Target,Target...]
#   e.g. run.sh 1h            every target for an hour each
#        run.sh 10m HttpFuzzTest,WebSocketFuzzTest
# On a shared machine run it through /work/bin/with-slot (it loads a core per target run).
set -euo pipefail
cd "$(dirname "$0")/../../../.."
keep=false
if [[ "${1:-}" == "--keep" ]]; then keep=true; shift; fi
duration="${1:-1h}"
targets="${2:-*FuzzTest}"
./mvnw -B --no-transfer-progress -pl server -am test -Pfuzz -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  "-Dfuzz.duration=$duration" "-Dfuzz.test=$targets"
if $keep; then
  for dir in server/.cifuzz-corpus/*/*; do
    [[ -d "$dir" ]] || continue
    class="$(basename "$(dirname "$dir")")"   # io.mcpserver.server.fuzz.NdjsonFuzzTest
    method="$(basename "$dir")"
    target="server/src/test/resources/$(dirname "${class//.//}")/$(basename "${class//.//}")Inputs/$method/corpus"
    mkdir -p "$target"
    cp -n "$dir"/* "$target"/ 2>/dev/null || true
    echo "kept $(ls "$target" | wc -l) inputs in $target"
  done
fi
