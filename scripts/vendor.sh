#!/usr/bin/env bash
# vendor.sh - the browser libraries our pages load from our own build, never from a CDN (ECharts for the
# dashboard's charts, Pannellum for the communities' panoramas): npm installs WxQms.Api/vendor/package.json's
# pinned versions into WxQms.Api/vendor/node_modules, and the Api serves their built files under /vendor/
# (WxQms.Api/Infrastructure/VendorAssets.cs). run.sh, test.sh and bench.sh call it; idempotent: it skips while
# npm's record of the installed tree is newer than package.json and the lock file (CI=true always installs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../WxQms.Api/vendor"
log() { printf '[vendor] %s\n' "$*" >&2; }

if [[ ${CI:-} != true && node_modules/.package-lock.json -nt package-lock.json &&
  node_modules/.package-lock.json -nt package.json ]]; then
  exit 0
fi
command -v npm >/dev/null || { log "ERROR: npm not found (node 20 is needed for the pages' browser libraries)"; exit 1; }
log "installing the pages' browser libraries (npm ci in WxQms.Api/vendor)"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2
