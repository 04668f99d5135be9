#!/usr/bin/env bash
# Builds standalone plugin projects the way a third party would: each its own Maven project, compiled against
# the plugin API and tested with the test kit that this build just made. Those two (and the parent POM they
# refer to) go into a throwaway local repository; everything else is read from the usual local repository,
# which is never written to. The projects: the documented example (docs/examples/notes-plugin), which
# ExamplePluginIT then drops into a distribution, and any other given (dist/src/test/projects/*: e.g. a plugin
# bundling Jackson 2.12, whose own tests prove the kit isolates it). NewPluginIT reuses the repository.
#
# Usage: build-example-plugin.sh <project root> <version> <throwaway repository> <usual local repository> [project…]
set -euo pipefail
root=$1 version=$2 head=$3 tail=$4
shift 4
projects=("$@")
[ ${#projects[@]} -gt 0 ] || projects=("$root/docs/examples/notes-plugin")

# One artifact in the repository layout, as `mvn install` would put it (no remote: found locally).
put() { # groupId artifactId extension file pom
  local dir="$head/${1//.//}/$2/$version"
  mkdir -p "$dir"
  cp "$5" "$dir/$2-$version.pom"
  if [ "$3" != pom ]; then
    if [ ! -f "$4" ]; then
      echo "build-example-plugin: $4 is missing; build plugin-api and testkit first (./mvnw package)" >&2
      exit 1
    fi
    cp "$4" "$dir/$2-$version.$3"
  fi
}

rm -rf "$head"
put io.mcpserver mcp-server-parent pom - "$root/pom.xml"
put io.mcpserver mcp-plugin-api jar "$root/plugin-api/target/mcp-plugin-api-$version.jar" "$root/plugin-api/pom.xml"
put io.mcpserver mcp-plugin-testkit jar "$root/testkit/target/mcp-plugin-testkit-$version.jar" "$root/testkit/pom.xml"

for project in "${projects[@]}"; do
  echo "build-example-plugin: building $project against mcp-plugin-api $version (repository $head, then $tail)"
  # maven.repo.local.tail: Maven 3.9's chained local repository, read-only behind the throwaway head
  "$root/mvnw" -f "$project/pom.xml" -Dmaven.repo.local="$head" -Dmaven.repo.local.tail="$tail" \
    -Dmcp.version="$version" package
done
