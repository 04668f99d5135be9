#!/usr/bin/env bash
# Builds the standalone example plugin (docs/examples/notes-plugin) the way a third party would:
# its own Maven project, compiled against the plugin API and tested with the test kit that this
# build just made. Those two (and the parent POM they need) go into a throwaway local repository;
# everything else is read from the usual local repository, which is never written to.
# ExamplePluginIT then drops the JAR into a distribution's plugins folder.
#
# Usage: build-example-plugin.sh <project root> <version> <throwaway repository> <usual local repository>
set -euo pipefail
root=$1 version=$2 head=$3 tail=$4
example="$root/docs/examples/notes-plugin"

# One artifact in the repository layout, as `mvn install` would put it (no remote: found locally).
put() { # groupId artifactId extension file pom
  local dir="$head/${1//.//}/$2/$version"
  mkdir -p "$dir"
  cp "$5" "$dir/$2-$version.pom"
  if [ "$3" != pom ]; then
    if [ ! -f "$4" ]; then
      echo "build-example-plugin: $4 is missing; build plugin-api and server first (./mvnw package)" >&2
      exit 1
    fi
    cp "$4" "$dir/$2-$version.$3"
  fi
}

rm -rf "$head"
put io.mcpserver mcp-server-parent pom - "$root/pom.xml"
put io.mcpserver mcp-plugin-api jar "$root/plugin-api/target/mcp-plugin-api-$version.jar" "$root/plugin-api/pom.xml"
put io.mcpserver mcp-server jar "$root/server/target/mcp-server-$version.jar" "$root/server/pom.xml"

echo "build-example-plugin: building $example against mcp-plugin-api $version (repository $head, then $tail)"
# maven.repo.local.tail: Maven 3.9's chained local repository, read-only behind the throwaway head
exec "$root/mvnw" -f "$example/pom.xml" -Dmaven.repo.local="$head" -Dmaven.repo.local.tail="$tail" \
  -Dmcp.version="$version" package
