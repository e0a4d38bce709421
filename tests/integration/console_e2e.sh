#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The console in real headless Chromium against a real meterd holding a week of simulated data:
# log in (cookie session), find a device, open it, see the chart drawn from stored data, switch its
# output; then create a viewer on the Users page, log in as it, check what it may not see or do,
# change its password and create an API token on the Account page (web/tests/e2e/console.e2e.mjs).
# Usage: console_e2e.sh <dir with meterd and metersim>
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
meterd_pid=""
cleanup() {
  [ -n "$meterd_pid" ] && kill "$meterd_pid" 2>/dev/null && wait "$meterd_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

if [ ! -f "$root/web/dist/index.html" ] || [ ! -d "$root/web/node_modules/playwright-core" ]; then
  echo "console_e2e: the console is not built; run 'make test' (it builds web/ first)" >&2
  exit 1
fi
password=e2e-secret
METERD_ADMIN_PASSWORD=$password "$bin/meterd" --listen 127.0.0.1:0 --data-dir "$work/data" \
  --static-dir "$root/web/dist" >"$work/meterd.log" 2>&1 &
meterd_pid=$!
# meterd prints its address once it listens.
url=""
for _ in $(seq 1 600); do
  url=$(grep -o 'listening on http://[0-9.:]*' "$work/meterd.log" | head -1 | sed 's/listening on //') || true
  [ -n "$url" ] && break
  kill -0 "$meterd_pid" || { cat "$work/meterd.log"; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "meterd did not start"; cat "$work/meterd.log"; exit 1; }

"$bin/metersim" --url "$url" --devices 10 --days 8 --state-dir "$work/sim" \
  --enrolment-key-file "$work/data/enrolment.key" >"$work/metersim.log" 2>&1 || { cat "$work/metersim.log"; exit 1; }

cd "$root/web"
METERD_URL=$url METERD_USER=admin METERD_PASSWORD=$password METERD_DEVICE=D000004 \
  E2E_SCREENSHOT="${E2E_SCREENSHOT:-}" node tests/e2e/console.e2e.mjs
