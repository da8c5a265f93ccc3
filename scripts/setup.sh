#!/usr/bin/env bash
# Installs what tickflow needs on a fresh Debian machine, once: redis-server, kcat and promtool,
# Maven and Java for the local Kafka broker, Node 24, the npm packages and the Kafka jars.
# Prints the folder of Node 24 as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v kcat >/dev/null || need+=(kcat)
command -v promtool >/dev/null || need+=(prometheus)
command -v mvn >/dev/null || need+=(maven)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${need[*]}" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
  # Debian starts a system Redis on 6379 when it installs the package; tickflow starts its own.
  { command -v systemctl >/dev/null && $sudo systemctl stop redis-server; } >/dev/null 2>&1 || true
fi
node_dir="$(scripts/ensure-node.sh)"
export PATH="$node_dir:$PATH"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi
node -e "import('./src/dev/infra/local-kafka.ts').then(m => m.ensureKafkaJars())" >&2
echo "$node_dir"
