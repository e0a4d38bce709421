#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The console's billing pages in real headless Chromium against a real meterd holding simulated
# water data: seed a tariff, zones, service points and accounts through the API, run a bill run,
# then see it in the console, refuse a bad tariff, work the review queue, release, view, print and
# download a bill, and rebill it (web/tests/e2e/billing.e2e.mjs).
# Usage: billing_e2e.sh <dir with meterd and metersim>
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
  echo "billing_e2e: the console is not built; run 'make test' (it builds web/ first)" >&2
  exit 1
fi
password=e2e-secret
days=8
METERD_ADMIN_PASSWORD=$password "$bin/meterd" --listen 127.0.0.1:0 --data-dir "$work/data" \
  --static-dir "$root/web/dist" >"$work/meterd.log" 2>&1 &
meterd_pid=$!
# meterd prints its address once it listens.
url=""
for _ in $(seq 1 600); do
  url=$(grep -so 'listening on http://[0-9.:]*' "$work/meterd.log" | head -1 | sed 's/listening on //') || true
  [ -n "$url" ] && break
  kill -0 "$meterd_pid" || { cat "$work/meterd.log"; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "meterd did not start"; cat "$work/meterd.log"; exit 1; }

# 10 devices: W000001, W000005, W000006 and W000010 are water meters (1 L pulses, m3).
"$bin/metersim" --url "$url" --devices 10 --days "$days" --state-dir "$work/sim" \
  --enrolment-key-file "$work/data/enrolment.key" >"$work/metersim.log" 2>&1 || { cat "$work/metersim.log"; exit 1; }

cd "$root/web"
status=0
METERD_URL=$url METERD_USER=admin METERD_PASSWORD=$password E2E_DAYS=$days \
  E2E_SCREENSHOT="${E2E_SCREENSHOT:-}" E2E_BILL_PDF="${E2E_BILL_PDF:-}" \
  E2E_PRINT_SHOT="${E2E_PRINT_SHOT:-}" node tests/e2e/billing.e2e.mjs || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- meterd log (last 40 lines)" >&2
  tail -n 40 "$work/meterd.log" >&2
fi
exit "$status"
