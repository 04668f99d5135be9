#!/usr/bin/env bash
# Rebuilds mcp-plugin-api-baseline.jar, the API the compatibility check (japicmp, in `./mvnw verify`) compares
# against, from the plugin API at a git ref, and records that ref's plugin-api tree id in BASELINE.
# Run it when a version of the plugin API is released:   plugin-api/api-baseline/update.sh v1.0.0
set -euo pipefail
ref=${1:?usage: update.sh <git ref of the released plugin API, e.g. a tag>}
here=$(cd "$(dirname "$0")" && pwd)
root=$(git -C "$here" rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git -C "$root" worktree add --detach "$tmp/src" "$ref" >/dev/null
# the baseline at that ref (if any) is irrelevant to building it
(cd "$tmp/src" && ./mvnw -q -B -pl plugin-api package -DskipTests -Djapicmp.skip=true)
jar=$(ls "$tmp"/src/plugin-api/target/mcp-plugin-api-*.jar | grep -v -- '-sources.jar$')
cp "$jar" "$here/mcp-plugin-api-baseline.jar"
{
  echo "ref: $ref"
  echo "commit: $(git -C "$root" rev-parse "$ref^{commit}")"
  echo "plugin-api tree: $(git -C "$root" rev-parse "$ref:plugin-api/src/main")"
} > "$here/BASELINE"
echo "baseline rebuilt from $ref:"; cat "$here/BASELINE"
